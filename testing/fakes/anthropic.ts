import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1, speaking the real
 * protocol so the official SDK runs unmodified against it (ANTHROPIC_BASE_URL).
 * Every SSE message carries an `event:` line — the SDK skips messages without one.
 *
 * The last user message chooses the behaviour:
 *   [[slow]]   ~20 tokens/s for ~10 s (Stop, reload and watch tests)
 *   [[error]]  a few tokens, then `event: error` overloaded_error mid-stream
 *   [[529]]    HTTP 529 overloaded before any stream
 *   [[long]]   400 tokens as fast as possible
 *   [[paced]]  400 tokens at ~400 tokens/s, a faster-than-real upstream (throughput benchmark)
 *   [[crawl]]  600 tokens at ~20 tokens/s for ~30 s (killing an instance mid-answer)
 *   [[rate:N]] tokens at N a second (400 of them, or [[tokens:M]]) — a real model's pace, for benchmarks
 *   [[fabricate]] the answer adds a misquote of source [1] and a citation [9] of a source it was never given
 * A system prompt with an agent's instructions (`Agent "<name>" instructions:`) adds "Answering as <name>."
 * Otherwise a deterministic answer that quotes the question and cites [1]
 * when the system prompt carried <sources>. API key "bad-key" (x-api-key or Bearer) gets a 401.
 *
 * Usage is counted here, independently of Arbor's own bound, in one of two modes:
 *   "counted"     (default) a tokenizer-like count: short ASCII word pieces, one
 *                 token per CJK character, two per emoji, plus per-message framing —
 *                 roughly what the real API reports, and never Arbor's own rule;
 *   "adversarial" the largest usage the real API could report for the request:
 *                 input = the UTF-8 bytes of the request body as received,
 *                 output = max_tokens (even when the answer is shorter).
 * Guard tests run in "adversarial" mode: a hold that is not an upper bound shows.
 * The mode is a start option, can be changed on the returned object, and a
 * question containing [[max-usage]] gets adversarial usage whatever the mode.
 */
export type UsageMode = "counted" | "adversarial";

export type FakeAnthropic = {
  url: string;
  port: number;
  /**
   * every POST /v1/messages body received, oldest first, with its size in bytes as received,
   * and the text deltas actually written to the client so far (a stream cut off shows where)
   */
  requests: Array<{ body: MessagesBody; apiKey: string | null; bytes: number; sent: string[]; done: boolean }>;
  /** how usage is reported from now on */
  usage: UsageMode;
  close: () => Promise<void>;
};

type Block = { type: string; text?: string };
type MessagesBody = {
  model: string;
  max_tokens: number;
  stream?: boolean;
  system?: string | Block[];
  messages: Array<{ role: string; content: string | Block[] }>;
};

const SLOW_TOKENS = 200;
const SLOW_INTERVAL_MS = 50;
const CRAWL_TOKENS = 600;

function textOf(content: string | Block[] | undefined): string {
  if (content === undefined) return "";
  return typeof content === "string" ? content : content.map((b) => b.text ?? "").join("");
}

/**
 * A stand-in for a BPE tokenizer: ASCII letters and digits in pieces of up to
 * four, each other ASCII symbol one token, a CJK character one token, any
 * other character outside ASCII (emoji, accents) two. Deliberately not Arbor's rule.
 */
export function countTokens(text: string): number {
  let tokens = 0;
  for (const run of text.match(/[A-Za-z0-9]+|\s+|[\x21-\x7e]|[^\x00-\x7f]/gu) ?? []) {
    if (/^\s+$/.test(run)) continue;
    if (/^[A-Za-z0-9]+$/.test(run)) tokens += Math.ceil(run.length / 4);
    else if (/^[\x21-\x7e]$/.test(run)) tokens += 1;
    else tokens += /\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}|\p{Script=Hangul}/u.test(run) ? 1 : 2;
  }
  return Math.max(1, tokens);
}

/** What the real API counts as input: the text plus a few framing tokens per message and for the system prompt. */
function countInputTokens(body: MessagesBody): number {
  const system = textOf(body.system);
  return (system ? countTokens(system) + 3 : 0) + body.messages.reduce((sum, m) => sum + countTokens(textOf(m.content)) + 4, 0) + 1;
}

/** The answer as word-sized deltas. */
function answerFor(body: MessagesBody): string[] {
  const question = textOf([...body.messages].reverse().find((m) => m.role === "user")?.content).replace(/\s+/g, " ").trim();
  const hasSources = textOf(body.system).includes("<sources>");
  if (question.includes("[[slow]]")) {
    return Array.from({ length: SLOW_TOKENS }, (_, i) => `word${i + 1} `);
  }
  if (question.includes("[[crawl]]")) {
    return Array.from({ length: CRAWL_TOKENS }, (_, i) => `word${i + 1} `);
  }
  const counted = /\[\[tokens:(\d+)\]\]/.exec(question);
  if (question.includes("[[long]]") || question.includes("[[paced]]") || /\[\[rate:\d+\]\]/.test(question) || counted) {
    return Array.from({ length: counted ? Number(counted[1]) : 400 }, (_, i) => `token${i + 1} `);
  }
  const quoted = question.slice(0, 60);
  const turns = body.messages.length;
  const text =
    `You asked: "${quoted}". ` +
    (hasSources ? "According to the project's sources, this is covered [1]. " : "I have no project sources for this, so I answer from general knowledge. ") +
    `This is turn ${Math.ceil(turns / 2)} of the conversation. That is the fake Claude's whole answer.` +
    // An agent's instructions in the system prompt are acknowledged, so a journey can tell they reached the upstream.
    (/Agent "([^"]+)" instructions:/.exec(textOf(body.system))?.[1] ? ` Answering as ${/Agent "([^"]+)" instructions:/.exec(textOf(body.system))?.[1]}.` : "") +
    (question.includes("[[fabricate]]") ? ' The vault also says "soil is made of cheese" [1], and worms hold elections [9].' : "");
  return text.match(/\S+\s*/g) ?? [text];
}

function sse(res: ServerResponse, event: string, data: unknown) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function apiError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", "request-id": `req_${randomBytes(6).toString("hex")}` });
  res.end(JSON.stringify({ type: "error", error: { type, message } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeAnthropic(port = 0, host = "127.0.0.1", options: { usage?: UsageMode } = {}): Promise<FakeAnthropic> {
  const requests: FakeAnthropic["requests"] = [];
  const state = { usage: options.usage ?? "counted" };
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && url.pathname === "/health") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ status: "ok", fake: "anthropic" }));
      }
      // For journeys whose app runs in another process: the request bodies recorded so far that contain ?contains=…
      // (what the model was really sent), newest last. Test support only; no key needed, like /health.
      if (req.method === "GET" && url.pathname === "/_recorded") {
        const needle = url.searchParams.get("contains") ?? "";
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(requests.filter((r) => JSON.stringify(r.body).includes(needle)).map((r) => ({ body: r.body, bytes: r.bytes, done: r.done }))));
      }
      // SDK 1.x sends the key as a bearer token; older clients and curl use x-api-key.
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const apiKey = (req.headers["x-api-key"] as string | undefined) ?? bearer ?? null;
      if (!apiKey || apiKey === "bad-key") return apiError(res, 401, "authentication_error", "invalid x-api-key");

      if (req.method === "GET" && url.pathname === "/v1/models") {
        res.writeHead(200, { "content-type": "application/json" });
        const data = ["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5"].map((id) => ({
          type: "model",
          id,
          display_name: id,
          created_at: "2026-10-01T00:00:00Z",
        }));
        return res.end(JSON.stringify({ data, has_more: false, first_id: data[0]?.id, last_id: data.at(-1)?.id }));
      }
      if (req.method !== "POST" || url.pathname !== "/v1/messages") return apiError(res, 404, "not_found_error", `no route ${req.method} ${url.pathname}`);

      const raw = await readBody(req);
      const body = JSON.parse(raw.toString("utf8")) as MessagesBody;
      const record = { body, apiKey, bytes: raw.length, sent: [] as string[], done: false };
      requests.push(record);
      if (!body.model || !Array.isArray(body.messages) || typeof body.max_tokens !== "number") {
        return apiError(res, 400, "invalid_request_error", "model, messages and max_tokens are required");
      }
      const question = textOf([...body.messages].reverse().find((m) => m.role === "user")?.content);
      if (question.includes("[[529]]")) return apiError(res, 529, "overloaded_error", "Overloaded");

      const adversarial = state.usage === "adversarial" || question.includes("[[max-usage]]");
      const inputTokens = adversarial ? raw.length : countInputTokens(body);
      let deltas = answerFor(body);
      let stopReason = "end_turn";
      if (deltas.length > body.max_tokens) {
        deltas = deltas.slice(0, body.max_tokens);
        stopReason = "max_tokens";
      }
      const outputTokens = (sent: string[]) => (adversarial ? body.max_tokens : sent.reduce((sum, d) => sum + countTokens(d), 0));
      const id = `msg_fake_${randomBytes(8).toString("hex")}`;
      const message = { id, type: "message", role: "assistant", model: body.model, stop_sequence: null };

      if (!body.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            ...message,
            content: [{ type: "text", text: deltas.join("") }],
            stop_reason: stopReason,
            usage: { input_tokens: inputTokens, output_tokens: outputTokens(deltas) },
          }),
        );
      }

      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
      res.flushHeaders();
      let closed = false;
      res.on("close", () => {
        closed = true;
      });
      const slow = question.includes("[[slow]]") || question.includes("[[crawl]]");
      const rate = Number(/\[\[rate:(\d+)\]\]/.exec(question)?.[1] ?? 0);
      const startedAt = Date.now();
      const paced = question.includes("[[paced]]");
      const failing = question.includes("[[error]]");

      sse(res, "message_start", {
        type: "message_start",
        message: { ...message, content: [], stop_reason: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
      });
      sse(res, "content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
      sse(res, "ping", { type: "ping" });
      let sent = 0;
      for (const text of deltas) {
        if (closed) return;
        if (failing && sent === 5) {
          sse(res, "error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
          return res.end();
        }
        sse(res, "content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
        record.sent.push(text);
        sent++;
        if (slow) await wait(SLOW_INTERVAL_MS);
        // on a schedule from the start, so timer lateness does not slow the pace down
        else if (rate > 0) await wait(Math.max(0, startedAt + (sent * 1000) / rate - Date.now()));
        else if (paced && sent % 4 === 0) await wait(10);
      }
      sse(res, "content_block_stop", { type: "content_block_stop", index: 0 });
      sse(res, "message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens(deltas.slice(0, sent)) } });
      sse(res, "message_stop", { type: "message_stop" });
      record.done = true;
      res.end();
    } catch (error) {
      if (!res.headersSent) apiError(res, 500, "api_error", error instanceof Error ? error.message : "fake failed");
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    requests,
    get usage() {
      return state.usage;
    },
    set usage(mode: UsageMode) {
      state.usage = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
