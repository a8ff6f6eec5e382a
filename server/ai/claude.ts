import "server-only";
import Anthropic from "@anthropic-ai/sdk";
import { getEnv } from "@/server/env";
import { type ChatTurn, UpstreamError } from "./types";

/** The body of one streamed Messages call, exactly as it is sent upstream. */
export type ClaudeRequest = { model: string; max_tokens: number; system: string; messages: ChatTurn[]; stream: true; temperature?: number };

/** `temperature` only when an agent sets one: without it the request (and so its hold) is what it always was. */
export function claudeRequest({
  model,
  system,
  messages,
  maxTokens,
  temperature,
}: { model: string; system: string; messages: ChatTurn[]; maxTokens: number; temperature?: number | null }): ClaudeRequest {
  const request: ClaudeRequest = { model, max_tokens: maxTokens, system, messages, stream: true };
  if (temperature != null) request.temperature = temperature;
  return request;
}

/**
 * The most the API can bill for a request, by a rule that cannot under-count:
 * every input token Claude counts is at least one byte of the text it was
 * sent, and the request's JSON carries that text plus its own framing (keys,
 * quotes, the model name), which covers the few tokens the API adds per
 * message — so the UTF-8 length of the serialised body bounds the input
 * tokens; the output is at most `max_tokens`.
 * @see docs/billing.md ("How the hold bounds the charge")
 */
export function claudeUsageBound(request: ClaudeRequest): { tokensIn: number; tokensOut: number } {
  return { tokensIn: Buffer.byteLength(JSON.stringify(request), "utf8"), tokensOut: request.max_tokens };
}

/**
 * Output tokens of text received when the upstream never reported its count
 * (Stop, a dropped connection): bounded the same way as the input — at most
 * one token per byte, and never more than `max_tokens`.
 */
export function outputTokensOf(text: string, maxTokens: number): number {
  return Math.min(maxTokens, Buffer.byteLength(text, "utf8"));
}

export type ClaudeCall = {
  apiKey: string;
  request: ClaudeRequest;
  signal: AbortSignal;
  onText: (text: string) => void;
};

/**
 * One streamed Messages call through the official SDK, sending `request` as
 * it is (the hold was computed from these very bytes). ANTHROPIC_BASE_URL is
 * the SDK's root (it appends /v1/messages), so tests point it at the fake.
 * Usage comes from message_start (input) and message_delta (output); if the
 * call is aborted or fails first, output is bounded from the text received.
 */
export async function streamClaude(call: ClaudeCall): Promise<{ tokensIn: number; tokensOut: number; stopReason: string | null }> {
  const client = clientFor(call.apiKey);
  let tokensIn = 0;
  let tokensOut = 0;
  let sawOutputUsage = false;
  let received = "";
  let stopReason: string | null = null;
  const usage = () => ({ tokensIn, tokensOut: sawOutputUsage ? tokensOut : outputTokensOf(received, call.request.max_tokens) });
  try {
    const stream = await client.messages.create(call.request, { signal: call.signal });
    for await (const event of stream) {
      if (event.type === "message_start") {
        tokensIn = event.message.usage.input_tokens;
        tokensOut = event.message.usage.output_tokens;
      } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        received += event.delta.text;
        call.onText(event.delta.text);
      } else if (event.type === "message_delta") {
        tokensOut = event.usage.output_tokens;
        sawOutputUsage = true;
        if (event.usage.input_tokens != null) tokensIn = event.usage.input_tokens;
        stopReason = event.delta.stop_reason;
      }
    }
    return { ...usage(), stopReason };
  } catch (error) {
    if (call.signal.aborted) return { ...usage(), stopReason: "stopped" };
    throw new UpstreamError(describeAnthropicError(error), anthropicErrorCode(error), usage());
  }
}

let platformClient: { key: string; baseURL: string | null; client: Anthropic } | null = null;

/**
 * The platform key's client is made once (it sits on the path to the first token); a BYOK key gets a
 * client per call, so a removed key does not linger in memory.
 */
function clientFor(apiKey: string): Anthropic {
  const env = getEnv();
  const baseURL = env.ANTHROPIC_BASE_URL ?? null;
  const make = () => new Anthropic({ apiKey, baseURL, maxRetries: 1, timeout: 120_000 });
  if (apiKey !== env.ANTHROPIC_API_KEY) return make();
  if (platformClient?.key !== apiKey || platformClient.baseURL !== baseURL) platformClient = { key: apiKey, baseURL, client: make() };
  return platformClient.client;
}

function anthropicErrorCode(error: unknown): string {
  if (error instanceof Anthropic.APIError) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    return `upstream:${type ?? error.status ?? "error"}`;
  }
  return "upstream:network";
}

function describeAnthropicError(error: unknown): string {
  if (error instanceof Anthropic.AuthenticationError) return "Claude rejected the API key. Check the key in Billing (your own key) or ANTHROPIC_API_KEY.";
  if (error instanceof Anthropic.RateLimitError) return "Claude is rate-limiting requests right now. Try again in a minute.";
  if (error instanceof Anthropic.APIError) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    if (type === "overloaded_error" || error.status === 529) return "Claude is overloaded right now, so the answer stopped. What was written so far is kept; try Regenerate in a moment.";
    return `Claude returned an error (${type ?? error.status ?? "unknown"}). What was written so far is kept.`;
  }
  return "Arbor could not reach Claude. What was written so far is kept; try again.";
}
