import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { projectMembers, projects, users } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { createTestDatabase } from "@/testing/database";
import { findReadableStream } from "@/server/chat/stream/resume";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { isAppError } from "@/server/errors";
import { processingDone } from "@/server/knowledge/process";
import { handleUpload } from "@/server/knowledge/upload";
import { roleAtLeast } from "@/lib/roles";
import { type AuthzOutcome, authzOutcome } from "@/testing/authz-outcome";
import { contextFor } from "@/testing/fixtures";
import { appRouter, createCaller } from "./_app";
import { ACTORS, type Actor, AUTHZ_MATRIX, fixtureChat, fixtureStream, type MatrixEntry, type MatrixFixture } from "@/testing/authz-matrix";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const procedures = Object.keys((appRouter._def as unknown as { procedures: Record<string, unknown> }).procedures).sort();

function expected(entry: MatrixEntry, actor: Actor): "allowed" | "denied" {
  const override = entry.except?.[actor];
  if (override) return override;
  if (entry.min === "public") return "allowed";
  if (actor === "anonymous") return "denied";
  if (entry.min === "signed-in") return "allowed";
  if (actor === "nonMember") return "denied";
  return roleAtLeast(actor as Role, entry.min) ? "allowed" : "denied";
}

let fixtureCount = 0;
/** An owner, a viewer, a commenter, an editor and a stranger around one project: three statements, so ~360 cases stay quick. */
async function freshFixture(): Promise<Omit<MatrixFixture, "caller">> {
  const tag = `${process.pid}-${fixtureCount++}`;
  const people = await database.db
    .insert(users)
    .values(["owner", "viewer", "commenter", "editor", "stranger"].map((who) => ({ email: `${who}-${tag}@matrix.test`, name: who, emailVerified: new Date() })))
    .returning();
  const [owner, viewer, commenter, editor, nonMember] = people;
  if (!owner || !viewer || !commenter || !editor || !nonMember) throw new Error("fixture users missing");
  const [project] = await database.db.insert(projects).values({ ownerId: owner.id, title: "Matrix project" }).returning();
  if (!project) throw new Error("fixture project missing");
  await database.db.insert(projectMembers).values([
    { projectId: project.id, userId: owner.id, role: "owner" as const, quotaMicros: null },
    { projectId: project.id, userId: viewer.id, role: "viewer" as const, quotaMicros: 5_000_000n },
    { projectId: project.id, userId: commenter.id, role: "commenter" as const, quotaMicros: 5_000_000n },
    { projectId: project.id, userId: editor.id, role: "editor" as const, quotaMicros: 5_000_000n },
  ]);
  return { db: database.db, project, owner, members: { viewer, commenter, editor }, nonMember };
}

function callerUser(fx: Omit<MatrixFixture, "caller">, actor: Actor) {
  if (actor === "anonymous") return null;
  if (actor === "nonMember") return fx.nonMember;
  if (actor === "owner") return fx.owner;
  return fx.members[actor];
}

async function call(path: string, fx: MatrixFixture, input: unknown) {
  const caller = createCaller({ ...contextFor(database.db, fx.caller), ip: `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
  let target: unknown = caller;
  for (const part of path.split(".")) target = (target as Record<string, unknown>)[part];
  const result = await (target as (input: unknown) => Promise<unknown>)(input);
  // subscriptions return an async iterable: pulling one value runs their checks
  if (result && typeof result === "object" && Symbol.asyncIterator in result) {
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    await Promise.race([iterator.next(), new Promise((r) => setTimeout(r, 200))]);
    await iterator.return?.();
  }
}

describe("authorization matrix (who may do what: docs/collaboration.md#roles)", () => {
  it("has an entry for every procedure, and no entry for a procedure that does not exist", () => {
    const missing = procedures.filter((p) => !AUTHZ_MATRIX[p]);
    const stale = Object.keys(AUTHZ_MATRIX).filter((p) => !procedures.includes(p));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it("allows and denies each actor exactly as the matrix says", async () => {
    const mismatches: string[] = [];
    for (const path of procedures) {
      const entry = AUTHZ_MATRIX[path];
      if (!entry) continue;
      for (const actor of ACTORS) {
        const want = expected(entry, actor);
        // A fresh project per case: calls mutate (delete, leave, hand over), and a case must not see another's leftovers.
        const base = await freshFixture();
        const fx: MatrixFixture = { ...base, caller: callerUser(base, actor) };
        // Fixture errors are bugs in the entry, not outcomes: let them fail the test loudly.
        const input = entry.input ? await entry.input(fx) : undefined;
        let got: AuthzOutcome = { outcome: "allowed", detail: "ok" };
        try {
          await call(path, fx, input);
        } catch (error) {
          got = authzOutcome(error);
        }
        // "broken" never matches: an unexpected error is a wrong case, not an outcome
        if (got.outcome !== want) mismatches.push(`${path} as ${actor}: expected ${want}, got ${got.outcome} (${got.detail})`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 600_000);

  /**
   * Route Handlers: each resolves the session (no user → 401 before anything
   * else, in the handler itself) and then calls one domain function with the
   * user's id, which checks the role. Those functions are what is exercised
   * here, for every signed-in actor; the anonymous 401 is the handler's own
   * first line and is covered by the owners' e2e suites.
   */
  it("guards the Route Handlers' domain entry points the same way", async () => {
    const routes: Array<{ name: string; min: Role; run: (fx: MatrixFixture, userId: string) => Promise<unknown> }> = [
      {
        name: "POST /api/chat",
        min: "editor",
        run: async (fx, userId) => {
          const chat = await fixtureChat(fx);
          const turn = await startChatTurn(fx.db, {
            userId,
            request: { requestId: `matrix-${randomUUID()}`, chatId: chat.id, parentId: null, content: "What is soil?", tier: "local" },
          });
          await answerFinished(turn.stream.id);
        },
      },
      { name: "GET /api/chat/<streamId>", min: "viewer", run: async (fx, userId) => findReadableStream(fx.db, { streamId: (await fixtureStream(fx)).id, userId }) },
      {
        name: "POST /api/knowledge/upload",
        min: "editor",
        run: async (fx, userId) => {
          const form = new FormData();
          form.append("file", new File(["Soil is the top layer of the earth."], "soil.txt", { type: "text/plain" }));
          const request = new Request(`http://localhost/api/knowledge/upload?projectId=${fx.project.id}`, { method: "POST", body: form });
          const outcomes = await handleUpload(fx.db, { projectId: fx.project.id, userId, request });
          // the upload kicks background extraction; let it finish before the database closes
          await processingDone();
          return outcomes;
        },
      },
    ];
    const mismatches: string[] = [];
    for (const route of routes) {
      for (const actor of ACTORS.filter((a) => a !== "anonymous")) {
        const base = await freshFixture();
        const user = callerUser(base, actor);
        if (!user) continue;
        const want = actor !== "nonMember" && roleAtLeast(actor as Role, route.min) ? "allowed" : "denied";
        let got: AuthzOutcome["outcome"] = "allowed";
        let detail = "ok";
        try {
          await route.run({ ...base, caller: user }, user.id);
        } catch (error) {
          // the domain functions throw AppError; read it as tRPC would carry it, so anything else is "broken"
          ({ outcome: got, detail } = authzOutcome(isAppError(error) ? error.toTRPC() : error));
        }
        if (got !== want) mismatches.push(`${route.name} as ${actor}: expected ${want}, got ${got} (${detail})`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});

