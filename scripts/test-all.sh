#!/usr/bin/env bash
# Every test: types, lint, the import rules, unit + integration (PGlite, and real Postgres when
# TEST_DATABASE_URL is set), a production build, and the Playwright journeys
# against that build on a fresh embedded database.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "typecheck"
npx tsc --noEmit

step "lint"
npx biome lint .

step "import rules (dependency-cruiser: no cycles, layers, client/server, server-only)"
npm run --silent lint:deps

step "unit + integration (vitest)${TEST_DATABASE_URL:+ on PGlite and Postgres}"
npx vitest run

step "production build"
npx next build

step "end-to-end (playwright, chromium)"
E2E_BUILD=1 npx playwright test
