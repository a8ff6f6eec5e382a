/**
 * CPU per answer (docs/chat.md "What an answer costs"): Postgres's
 * and the app's, for a 40-token cloud answer through POST /api/chat's
 * pipeline (persist, hold, produce into the ledger, tail it as the POST's
 * reader does, settle), in process on Postgres. The fake upstream runs in a
 * child process so the app's figure (process.cpuUsage) is Arbor's alone;
 * Postgres's is the CPU of this run's own backends (utime+stime in
 * /proc/<pid>/stat of every backend connected to the run's database), so
 * other users of the server do not count. Two paces: as fast as the fake
 * can send, and 20 tokens a second (a slow model: every token its own window).
 * Baseline, same run: the app CPU of reading the same answer straight from
 * the fake with the SDK. Targets: Postgres ≤ 5 ms and app ≤ 25 ms per answer.
 *
 * Run alone: TEST_DATABASE_URL=postgres://… npx tsx --conditions=react-server bench/answer-cpu.ts
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import Anthropic from "@anthropic-ai/sdk";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { createChat } from "@/server/chat/chats";
import { statementTally } from "@/db/statement-count";
import { ledgerInserts } from "@/server/chat/stream/ledger";
import { tailLedger } from "@/server/chat/stream/reader";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { resetEnvForTests } from "@/server/env";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";

const ANSWERS = Number(process.env.RUNS ?? 20);
const TOKENS = 40;
const TICK_MS = 1000 / 100; // USER_HZ on Linux
const MODEL = "claude-sonnet-5-5";

export type AnswerCpuResult = {
  pace: string;
  answers: number;
  tokens: number;
  postgresMsPerAnswer: number;
  appMsPerAnswer: number;
  /** the baseline: the same answer read straight from the fake with the SDK, in this process */
  bareMsPerAnswer: number;
  insertsPerAnswer: number;
  /** every statement the database was sent, ledger inserts included, and the transactions among them (counted at the driver) */
  statementsPerAnswer: number;
  transactionsPerAnswer: number;
};

async function startFake(): Promise<{ url: string; stop: () => void }> {
  const child = spawn("npx", ["tsx", "bench/support/fake-anthropic-child.ts"], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the fake exited (${code})`)));
  });
  return { url: line.trim(), stop: () => child.stdin.end() };
}

async function backendPids(db: Db): Promise<number[]> {
  const rows = await queryRows<{ pid: number }>(db, sql`select pid from pg_stat_activity where datname = current_database()`);
  return rows.map((r) => Number(r.pid));
}

function cpuTicks(pid: number): number {
  try {
    // fields after the ")" of comm: state is field 3; utime and stime are fields 14 and 15
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}


async function answer(db: Db, userId: string, chatId: string, question: string): Promise<number> {
  const turn = await startChatTurn(db, {
    userId,
    request: { requestId: `cpu-${crypto.randomUUID()}`, chatId, parentId: null, content: question, tier: "cloud", maxTokens: TOKENS },
  });
  const text = await new Response(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 })).text();
  await answerFinished(turn.stream.id);
  return (text.match(/"type":"content"/g) ?? []).length;
}

/** The baseline's CPU: the same 40 tokens read from the fake with the SDK, nothing else. */
async function bare(client: Anthropic, question: string): Promise<number> {
  const stream = await client.messages.create({ model: MODEL, max_tokens: TOKENS, messages: [{ role: "user", content: question }], stream: true });
  let n = 0;
  for await (const event of stream) if (event.type === "content_block_delta") n++;
  return n;
}

async function measure(db: Db, userId: string, chats: string[], client: Anthropic, pace: string, question: string): Promise<AnswerCpuResult> {
  for (let i = 0; i < 3; i++) await bare(client, `${question} bare warm ${i}`);
  const bare0 = process.cpuUsage();
  for (let i = 0; i < ANSWERS; i++) await bare(client, `${question} bare ${i}`);
  const bareCpu = process.cpuUsage(bare0);
  for (let i = 0; i < 3; i++) await answer(db, userId, chats.pop() ?? "", `${question} warm ${i}`);
  const pids = await backendPids(db);
  const before = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
  const insertsBefore = ledgerInserts.n;
  const statementsBefore = { ...statementTally };
  const app0 = process.cpuUsage();
  let tokens = 0;
  for (let i = 0; i < ANSWERS; i++) tokens += await answer(db, userId, chats.pop() ?? "", `${question} ${i}`);
  const app = process.cpuUsage(app0);
  const inserts = ledgerInserts.n - insertsBefore;
  const statements = statementTally.statements - statementsBefore.statements;
  const transactions = statementTally.transactions - statementsBefore.transactions;
  let ticks = 0;
  for (const pid of new Set([...pids, ...(await backendPids(db))])) ticks += cpuTicks(pid) - (before.get(pid) ?? 0);
  return {
    pace,
    answers: ANSWERS,
    tokens: tokens / ANSWERS,
    postgresMsPerAnswer: (ticks * TICK_MS) / ANSWERS,
    appMsPerAnswer: (app.user + app.system) / 1000 / ANSWERS,
    bareMsPerAnswer: (bareCpu.user + bareCpu.system) / 1000 / ANSWERS,
    insertsPerAnswer: inserts / ANSWERS,
    statementsPerAnswer: statements / ANSWERS,
    transactionsPerAnswer: transactions / ANSWERS,
  };
}

export async function run(): Promise<AnswerCpuResult[]> {
  if (!process.env.TEST_DATABASE_URL) {
    console.log("answer cpu: skipped (set TEST_DATABASE_URL: it measures Postgres's backends)");
    return [];
  }
  process.env.TEST_DB = "postgres";
  const fake = await startFake();
  process.env.ANTHROPIC_BASE_URL = fake.url;
  process.env.ANTHROPIC_API_KEY = "bench-key";
  process.env.ENCRYPTION_KEY ??= "d".repeat(64);
  process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret";
  resetEnvForTests();
  const database = await createTestDatabase();
  try {
    const { db } = database;
    await ensureModelPrices(db);
    const { owner, project } = await makeProject(db);
    const client = new Anthropic({ apiKey: "bench-key", baseURL: fake.url, maxRetries: 0 });
    const chats: string[] = [];
    for (let i = 0; i < 2 * (ANSWERS + 3); i++) chats.push((await createChat(db, { projectId: project.id, by: owner.id })).id);
    const results = [
      await measure(db, owner.id, chats, client, "as fast as the fake sends", "cpu [[long]]"),
      await measure(db, owner.id, chats, client, "20 tokens/s", "cpu [[slow]]"),
    ];
    for (const r of results) {
      console.log(
        `answer cpu [postgres, ${r.pace}]: ${r.tokens.toFixed(0)}-token answer → Postgres ${r.postgresMsPerAnswer.toFixed(1)} ms (target ≤ 5), ` +
          `app ${r.appMsPerAnswer.toFixed(1)} ms (target ≤ 25) vs ${r.bareMsPerAnswer.toFixed(1)} ms to read the same answer straight from the fake ` +
          `(ratio ${(r.appMsPerAnswer / Math.max(r.bareMsPerAnswer, 0.01)).toFixed(1)}×) per answer; ` +
          `${r.statementsPerAnswer.toFixed(1)} statements (${r.insertsPerAnswer.toFixed(1)} of them ledger inserts) and ${r.transactionsPerAnswer.toFixed(1)} transactions per answer`,
      );
    }
    return results;
  } finally {
    await database.close();
    fake.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run()
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
