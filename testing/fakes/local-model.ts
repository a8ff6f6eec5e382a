import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny OpenAI-compatible chat server (the protocol Ollama, llama.cpp and vLLM
 * speak) for the optional local tier: POST /v1/chat/completions, streaming
 * `chat.completion.chunk`s, a usage chunk, then `data: [DONE]`.
 * GET /v1/models lists `models` (what a custom provider discovers).
 * "[[local-fail]]" in the last user message answers HTTP 500; "[[local-slow]]"
 * answers after 3 s (time limits); "[[provider-break]]" streams two words and
 * then drops the connection (a provider failing mid-stream);
 * "[[provider-overbill]]" reports a usage far beyond what the request could
 * cost (an adversarial provider: the hold must still bound the charge).
 * With `apiKey` set, any other Bearer token gets HTTP 401.
 */
const SLOW_MS = 3_000;

export type FakeLocalModel = { url: string; port: number; requests: unknown[]; authorizations: Array<string | null>; close: () => Promise<void> };

export type FakeLocalModelOptions = { models?: string[]; apiKey?: string };

export const FAKE_PROVIDER_MODELS = ["fake-large", "fake-small"];

type Body = { model: string; stream?: boolean; messages: Array<{ role: string; content: string | Array<{ text?: string }> }> };

const text = (c: Body["messages"][number]["content"] | undefined) => (typeof c === "string" ? c : (c ?? []).map((p) => p.text ?? "").join(""));

export async function startFakeLocalModel(port = 0, host = "127.0.0.1", options: FakeLocalModelOptions = {}): Promise<FakeLocalModel> {
  const requests: unknown[] = [];
  const authorizations: Array<string | null> = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"status":"ok","fake":"local-model"}');
    }
    authorizations.push(req.headers.authorization ?? null);
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      res.writeHead(401, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }));
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      const created = Math.floor(Date.now() / 1000);
      return res.end(JSON.stringify({ object: "list", data: (options.models ?? FAKE_PROVIDER_MODELS).map((id) => ({ id, object: "model", created, owned_by: "fake" })) }));
    }
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: `no route ${req.method} ${url.pathname}` } }));
    }
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Body;
    requests.push(body);
    const question = text([...body.messages].reverse().find((m) => m.role === "user")?.content);
    if (question.includes("[[local-fail]]")) {
      res.writeHead(500, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "model crashed", type: "server_error" } }));
    }
    if (question.includes("[[local-slow]]")) await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    const words = `Local model answer to: ${question.slice(0, 60)}`.match(/\S+\s*/g) ?? [];
    const promptTokens = Math.ceil(body.messages.map((m) => text(m.content)).join("\n").length / 4);
    const id = `chatcmpl-${randomBytes(6).toString("hex")}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created,
          model: body.model,
          choices: [{ index: 0, message: { role: "assistant", content: words.join("") }, finish_reason: "stop" }],
          usage: { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length },
        }),
      );
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    send(chunk({ role: "assistant", content: "" }, null));
    if (question.includes("[[provider-break]]")) {
      for (const w of words.slice(0, 2)) send(chunk({ content: w }, null));
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.destroy();
      return;
    }
    const usage = question.includes("[[provider-overbill]]")
      ? { prompt_tokens: 1_000_000_000, completion_tokens: 1_000_000_000, total_tokens: 2_000_000_000 }
      : { prompt_tokens: promptTokens, completion_tokens: words.length, total_tokens: promptTokens + words.length };
    for (const w of words) send(chunk({ content: w }, null));
    send(chunk({}, "stop"));
    send({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage });
    res.write("data: [DONE]\n\n");
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/v1`,
    port: actual,
    requests,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
