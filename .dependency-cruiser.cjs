// The house rules of imports, checked by `npm run lint:deps` (part of `npm test`).
// Why each rule exists: docs/architecture.md#what-may-import-what
const fs = require("node:fs");
const path = require("node:path");

/** Files that start with the given directive ("use client": the roots of a browser bundle; "use server": server actions). */
function modulesWith(directive, root) {
  const found = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && startsWith(fs.readFileSync(full, "utf8"), directive)) {
        found.push(path.relative(root, full).split(path.sep).join("/"));
      }
    }
  };
  for (const dir of ["app", "components", "lib", "server"]) walk(path.join(root, dir));
  return found;
}

/** The directive as the module's first statement (comments may precede it). */
function startsWith(source, directive) {
  return new RegExp(`^\\s*(//[^\\n]*\\n\\s*|/\\*[\\s\\S]*?\\*/\\s*)*["']${directive}["']`).test(source);
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// A pattern that matches nothing for an empty list (an empty alternation would match everything).
const anyOf = (files) => (files.length ? `^(${files.map(escapeRegExp).join("|")})$` : "^$.");
const clientPattern = anyOf(modulesWith("use client", process.cwd()));
// A client module may import a server action: the browser gets a reference to call, never the action's own imports.
const serverActionPattern = anyOf(modulesWith("use server", process.cwd()));
const tests = "\\.(test|spec)\\.tsx?$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import cycle makes load order matter and modules impossible to read alone.",
      from: {},
      to: { circular: true },
    },
    {
      name: "server-not-to-ui",
      severity: "error",
      comment: "server/ and db/ decide; they never reach up into routes or React components.",
      from: { path: "^(server|db)/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "db-not-to-server",
      severity: "error",
      comment: "db/ is the layer server/ stands on (schema, client, migrations, its own env in db/env.ts).",
      from: { path: "^db/" },
      to: { path: "^server/" },
    },
    {
      name: "client-not-to-server",
      severity: "error",
      comment: 'A "use client" module, and everything it imports, ends up in the browser: never server/ or db/ (type-only imports are erased and allowed).',
      from: { path: clientPattern },
      to: { path: "^(server|db)/", reachable: true },
    },
    {
      name: "lib-is-isomorphic",
      severity: "error",
      comment: "lib/ is shared by client and server: it imports only lib/ and packages, never our other folders or Node built-ins.",
      from: { path: "^lib/", pathNot: tests },
      to: { pathNot: "^(lib/|node_modules/)" },
    },
    {
      name: "production-not-to-test-support",
      severity: "error",
      comment: "testing/, e2e/ and bench/ are for tests and benchmarks; the app never imports them.",
      from: { path: "^(app|components|server|db|lib)/", pathNot: tests },
      to: { path: "^(testing|e2e|bench)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing is a typo or a missing package.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  required: [
    {
      name: "server-only",
      severity: "error",
      comment: 'Every module of server/ and db/ imports "server-only", so importing one from a client component fails the build.',
      module: { path: "^(server|db)/", pathNot: tests },
      to: { path: "node_modules/server-only/" },
    },
  ],
  options: {
    // Only what runs: type-only imports are erased before anything is bundled.
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    // Server actions are not followed: what they import stays on the server even when a client module imports them.
    doNotFollow: { path: ["node_modules", serverActionPattern] },
    exclude: { path: "^(\\.next|drizzle|test-results|playwright-report|\\.data)/" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
