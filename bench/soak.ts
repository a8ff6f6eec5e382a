/**
 * The soak (docs/scaling.md): STREAMS people (100) each keep one
 * answer streaming at a time for SECONDS (120), the fake upstream writing
 * ≈80 tokens a second, against one `next start` of the production build on
 * Postgres (TEST_DATABASE_URL; PGlite when it is not set, said so). Checked:
 * no error; every client's text is exactly what the fake sent for its request
 * (no token lost, none doubled — compared delta by delta); the server's own
 * event-loop delay (EVENT_LOOP_REPORT_MS lines, perf_hooks.monitorEventLoopDelay
 * in the server) p99 ≤ 50 ms; memory before and after.
 *
 *   TEST_DATABASE_URL=postgres://… npm run bench -- soak
 *   STREAMS=20 SECONDS=30 npm run bench -- soak   (a quick look)
 */
import { cpus, loadavg } from "node:os";
import { startFakeAnthropic } from "@/testing/fakes/anthropic";
import { type Database, ensureBuild, groupCpuMs, MODEL, type Person, percentile, pgliteDatabase, postChat, postgresCpuMs, postgresDatabase, requestId, signUp, sleep, startApp } from "./http-support";

const STREAMS = Number(process.env.STREAMS ?? 100);
const SECONDS = Number(process.env.SECONDS ?? 120);
const RATE = Number(process.env.RATE ?? 80);
const TOKENS = 400;
const REPORT_MS = 2_000;

type Report = { p50Ms: number; p99Ms: number; maxMs: number; rssMb: number; heapUsedMb: number };

function reports(lines: string[], from: number): Report[] {
  return lines.slice(from).flatMap((line) => {
    const json = /\[arbor\] event-loop (\{.*\})/.exec(line)?.[1];
    return json ? [JSON.parse(json) as Report] : [];
  });
}

export async function run(): Promise<void> {
  ensureBuild();
  const fake = await startFakeAnthropic(0);
  const database: Database = process.env.TEST_DATABASE_URL ? await postgresDatabase(process.env.TEST_DATABASE_URL) : pgliteDatabase();
  if (database.kind === "pglite") console.log("TEST_DATABASE_URL is not set: soaking on PGlite instead of Postgres");
  // --expose-gc: on SIGUSR2 the server collects its garbage before it reports its memory (server/ops/event-loop-report.ts)
  const app = await startApp(database, fake.url, { EVENT_LOOP_REPORT_MS: String(REPORT_MS), NODE_OPTIONS: "--expose-gc" });
  /** The server's memory after a full collection. */
  const collected = async (): Promise<{ rssMb: number; heapUsedMb: number } | null> => {
    const from = app.lines.length;
    process.kill(app.pid, "SIGUSR2");
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const line = app.lines.slice(from).find((l) => l.includes("[arbor] memory "));
      if (line) return JSON.parse(line.slice(line.indexOf("{"))) as { rssMb: number; heapUsedMb: number };
    }
    return null;
  };
  try {
    const people: Person[] = [];
    for (let i = 0; i < STREAMS; i += 10) people.push(...(await Promise.all(Array.from({ length: Math.min(10, STREAMS - i) }, () => signUp(app.url)))));
    // each person's chat, opened with a short first answer
    const chats = await Promise.all(
      people.map(async (person, i) => {
        const { id: projectId } = await person.trpc<{ id: string }>("projects.create", { title: `Soak ${i}` });
        const first = await postChat(person, { requestId: requestId(), projectId, content: "Hello", tier: "cloud", model: MODEL, maxTokens: 300 });
        if (first.error) throw new Error(`the first answer failed: ${first.error}`);
        return { person, chatId: first.chatId as string, parentId: first.messageId };
      }),
    );
    await sleep(REPORT_MS * 2);
    const before = await collected();
    const fromLine = app.lines.length;
    const cpuBefore = { app: groupCpuMs(app.pid), pg: await postgresCpuMs(database) };
    console.log(`${STREAMS} streams at ${RATE} tokens/s for ${SECONDS} s on ${database.kind} (memory before: rss ${before?.rssMb} MB, heap ${before?.heapUsedMb} MB; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores)`);

    let answers = 0;
    let tokens = 0;
    let lost = 0;
    let doubled = 0;
    let mismatched = 0;
    const errors: string[] = [];
    const ttft: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(
      chats.map(async (chat, s) => {
        for (let a = 0; Date.now() < end; a++) {
          const marker = `soak-${s}-${a}`;
          const result = await postChat(chat.person, { requestId: requestId(), chatId: chat.chatId, parentId: chat.parentId, content: `Keep talking ${marker} [[rate:${RATE}]] [[tokens:${TOKENS}]]`, tier: "cloud", model: MODEL, maxTokens: 1000 });
          if (result.error) {
            errors.push(`${marker}: ${result.error}`);
            continue;
          }
          if (result.messageId) chat.parentId = result.messageId;
          ttft.push(result.ttftMs);
          answers++;
          // what the fake itself sent for this request, delta by delta
          const upstream = fake.requests.find((r) => JSON.stringify(r.body.messages.at(-1)).includes(marker));
          const sent = upstream?.sent.join("") ?? "";
          if (result.text !== sent) mismatched++;
          const got = [...result.text.matchAll(/token(\d+) /g)].map((m) => Number(m[1]));
          const unique = new Set(got);
          tokens += got.length;
          lost += (upstream?.sent.length ?? TOKENS) - unique.size;
          doubled += got.length - unique.size;
        }
      }),
    );
    const soakMs = SECONDS * 1000;
    const cpuAfter = { app: groupCpuMs(app.pid), pg: await postgresCpuMs(database) };
    const during = reports(app.lines, fromLine);
    await sleep(15_000);
    const after = await collected();

    console.log(`answers ${answers}, content tokens received ${tokens} (${((tokens / soakMs) * 1000).toFixed(0)} tokens/s over all streams), first token p50 ${percentile(ttft, 50).toFixed(0)} ms / p95 ${percentile(ttft, 95).toFixed(0)} ms`);
    console.log(`errors ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ""}; texts differing from the fake's ${mismatched}; tokens lost ${lost}, duplicated ${doubled}`);
    if (errors.length) for (const line of app.lines.filter((l) => /error|fail/i.test(l)).slice(0, 12)) console.log(`    server: ${line.slice(0, 300)}`);
    const p99s = during.map((r) => r.p99Ms);
    console.log(
      `server event-loop delay over ${during.length} reports of ${REPORT_MS / 1000} s: p99 worst ${Math.max(...p99s).toFixed(1)} ms, median of the p99s ${percentile(p99s, 50).toFixed(1)} ms, max ${Math.max(...during.map((r) => r.maxMs)).toFixed(1)} ms`,
    );
    console.log(
      `memory (after a full GC): before rss ${before?.rssMb} MB / heap ${before?.heapUsedMb} MB; 15 s after the soak rss ${after?.rssMb} MB / heap ${after?.heapUsedMb} MB (during, uncollected, at most rss ${Math.max(...during.map((r) => r.rssMb))} MB / heap ${Math.max(...during.map((r) => r.heapUsedMb))} MB)`,
    );
    console.log(`CPU over the soak: app ${((cpuAfter.app - cpuBefore.app) / 1000).toFixed(1)} s (${((cpuAfter.app - cpuBefore.app) / Math.max(1, answers)).toFixed(1)} ms/answer)${database.kind === "postgres" ? `, Postgres ${((cpuAfter.pg - cpuBefore.pg) / 1000).toFixed(1)} s (${((cpuAfter.pg - cpuBefore.pg) / Math.max(1, answers)).toFixed(1)} ms/answer)` : ""}`);
    const verdict = (ok: boolean) => (ok ? "MET" : "MISSED");
    console.log("\ntargets");
    console.log(`  no error                                   ${verdict(errors.length === 0)}`);
    console.log(`  zero lost or duplicated tokens             ${verdict(lost === 0 && doubled === 0 && mismatched === 0)}`);
    console.log(`  event-loop delay p99 ≤ 50 ms (worst 2 s)   ${verdict(Math.max(...p99s) <= 50)} (${Math.max(...p99s).toFixed(1)} ms)`);
    const heapGrowth = (after?.heapUsedMb ?? 0) - (before?.heapUsedMb ?? 0);
    console.log(`  memory flat after the soak (GC'd heap +≤ 25 MB) ${verdict(heapGrowth <= 25)} (${heapGrowth >= 0 ? "+" : ""}${heapGrowth.toFixed(1)} MB)`);
  } finally {
    await app.stop();
    await database.drop();
    await fake.close();
  }
}
