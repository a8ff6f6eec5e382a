/**
 * Stream overhead (docs/chat.md, "Time to first token"): through POST /api/chat's pipeline (persist,
 * retrieve, reserve, produce into the ledger, tail the ledger as SSE) versus
 * the fake upstream on its own, over HTTP on 127.0.0.1, same run:
 *  - time to first token: first `content` frame from the pipeline vs the first
 *    text delta read straight from the fake with the same SDK (target: added p50 ≤ 20 ms);
 *  - throughput: tokens/s of a 400-token answer through the pipeline vs a bare
 *    pass-through handler that re-emits the SDK's deltas as SSE (target ≥ 90 %).
 *
 * Run alone: npx tsx --conditions=react-server bench/chat-stream.ts
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import Anthropic from "@anthropic-ai/sdk";
import { createTestDatabase } from "@/testing/database";
import { startFakeAnthropic } from "@/testing/fakes/anthropic";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { createChat } from "@/server/chat/chats";
import { sseHeaders, tailLedger } from "@/server/chat/stream/reader";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { resetEnvForTests } from "@/server/env";
import { makeProject } from "@/testing/fixtures";

const RUNS = Number(process.env.RUNS ?? 20);
const MODEL = "claude-sonnet-5-5";

export type StreamBenchResult = {
  driver: string;
  upstreamTtftP50Ms: number;
  pipelineTtftP50Ms: number;
  addedTtftP50Ms: number;
  passThroughTokensPerSec: number;
  pipelineTokensPerSec: number;
  throughputRatio: number;
};

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Reads an SSE body; returns ms to the first and last content frames and their number. */
async function consume(response: Response, t0: number): Promise<{ firstMs: number; lastMs: number; tokens: number }> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("no body");
  const decoder = new TextDecoder();
  let buffer = "";
  let firstMs = -1;
  let lastMs = -1;
  let tokens = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      if (frame.includes('"type":"content"')) {
        tokens++;
        lastMs = performance.now() - t0;
        if (firstMs < 0) firstMs = lastMs;
      }
      cut = buffer.indexOf("\n\n");
    }
  }
  return { firstMs, lastMs, tokens };
}

async function runOn(driver: "pglite" | "postgres"): Promise<StreamBenchResult> {
  process.env.TEST_DB = driver;
  const fake = await startFakeAnthropic(0);
  process.env.ANTHROPIC_BASE_URL = fake.url;
  process.env.ANTHROPIC_API_KEY = "bench-key";
  process.env.ENCRYPTION_KEY ??= "d".repeat(64);
  process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret";
  resetEnvForTests();
  const database = await createTestDatabase();
  let server: Server | null = null;
  const producing: Promise<void>[] = [];
  try {
    const { db } = database;
    await ensureModelPrices(db);
    const { owner, project } = await makeProject(db);
    const client = new Anthropic({ apiKey: "bench-key", baseURL: fake.url, maxRetries: 0 });

    // Both handlers behind one local HTTP server, so both pay the same transport.
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const content = url.searchParams.get("q") ?? "hello";
      let response: Response;
      if (url.pathname === "/pipeline") {
        const chatId = url.searchParams.get("chat") ?? "";
        const turn = await startChatTurn(db, {
          userId: owner.id,
          request: { requestId: `bench-${crypto.randomUUID()}`, chatId, parentId: null, content, tier: "cloud" },
        });
        response = new Response(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 }), { headers: sseHeaders(turn.stream.id) });
        // the database closes only once every answer has finished writing its ledger and bill
        producing.push(answerFinished(turn.stream.id));
      } else {
        const encoder = new TextEncoder();
        const upstream = await client.messages.create({ model: MODEL, max_tokens: 2048, messages: [{ role: "user", content }], stream: true });
        let seq = 0;
        response = new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              for await (const event of upstream) {
                if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
                  controller.enqueue(encoder.encode(`id: ${++seq}\ndata: ${JSON.stringify({ type: "content", text: event.delta.text })}\n\n`));
                }
              }
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        );
      }
      res.writeHead(200, Object.fromEntries(response.headers));
      if (response.body) Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
      else res.end();
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // A fresh chat per request, made before the clock starts.
    const chats: string[] = [];
    for (let i = 0; i < RUNS + 2 + 6; i++) chats.push((await createChat(db, { projectId: project.id, by: owner.id })).id);
    const upstreamTtft: number[] = [];
    const pipelineTtft: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      let t0 = performance.now();
      const direct = await client.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: "user", content: `ttft ${i}` }], stream: true });
      let first = -1;
      for await (const event of direct) if (first < 0 && event.type === "content_block_delta") first = performance.now() - t0;
      t0 = performance.now();
      const through = await consume(await fetch(`${base}/pipeline?q=ttft+${i}&chat=${chats.pop()}`), t0);
      if (i >= 2) {
        upstreamTtft.push(first);
        pipelineTtft.push(through.firstMs);
      }
    }

    const rates = { pipeline: [] as number[], passThrough: [] as number[] };
    for (let i = 0; i < 6; i++) {
      for (const kind of ["passthrough", "pipeline"] as const) {
        const t0 = performance.now();
        const r = await consume(await fetch(`${base}/${kind}?q=${encodeURIComponent(`throughput ${i} [[paced]]`)}&chat=${kind === "pipeline" ? chats.pop() : ""}`), t0);
        // first to last token: the rate at which text reaches the reader (settling the bill after it is not streaming)
        const seconds = (r.lastMs - r.firstMs) / 1000;
        (kind === "pipeline" ? rates.pipeline : rates.passThrough).push(r.tokens / Math.max(seconds, 1e-6));
      }
    }
    const pipelineRate = p50(rates.pipeline);
    const passRate = p50(rates.passThrough);
    return {
      driver,
      upstreamTtftP50Ms: p50(upstreamTtft),
      pipelineTtftP50Ms: p50(pipelineTtft),
      addedTtftP50Ms: p50(pipelineTtft) - p50(upstreamTtft),
      passThroughTokensPerSec: passRate,
      pipelineTokensPerSec: pipelineRate,
      throughputRatio: pipelineRate / passRate,
    };
  } finally {
    await Promise.allSettled(producing);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await database.close();
    await fake.close();
  }
}

export async function run(): Promise<StreamBenchResult[]> {
  const drivers: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const results: StreamBenchResult[] = [];
  for (const driver of drivers) {
    const r = await runOn(driver);
    results.push(r);
    console.log(
      `chat stream [${r.driver}]: time to first token p50 ${r.pipelineTtftP50Ms.toFixed(1)} ms through /api/chat's pipeline vs ${r.upstreamTtftP50Ms.toFixed(1)} ms from the fake upstream ` +
        `→ added ${r.addedTtftP50Ms.toFixed(1)} ms (target ≤ 20 ms); throughput ${r.pipelineTokensPerSec.toFixed(0)} vs ${r.passThroughTokensPerSec.toFixed(0)} tokens/s pass-through ` +
        `→ ratio ${(r.throughputRatio * 100).toFixed(0)} % (target ≥ 90 %)`,
    );
  }
  if (!process.env.TEST_DATABASE_URL) console.log("chat stream [postgres]: skipped (set TEST_DATABASE_URL to run it)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
