import "server-only";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { streamText } from "ai";
import { type ChatTurn, UpstreamError } from "@/server/ai/types";
import { isAppError } from "@/server/errors";
import { guardedFetch } from "./address";

export type ProviderCall = {
  baseUrl: string;
  providerName: string;
  /** the upstream model id */
  model: string;
  /** decrypted, for this call only; null = the server takes none */
  apiKey: string | null;
  system: string;
  messages: ChatTurn[];
  maxTokens: number;
  temperature?: number | null;
  signal: AbortSignal;
  onText: (text: string) => void;
  /** the usage the hold covers (the request's bytes, max_tokens): nothing reported beyond it is charged */
  bound: { tokensIn: number; tokensOut: number };
};

/**
 * One streamed chat completion from a project's own OpenAI-compatible
 * provider, through the AI SDK with the guarded fetch (the address guard on
 * every request). The provider is not ours to trust: the usage it reports is
 * clamped to the request's bound, so whatever it claims, the charge stays
 * within the hold; without a report, the output is counted from the text
 * received (at most one token per byte). A failure — before or mid-stream —
 * is an UpstreamError naming the provider, carrying what was used so far.
 */
export async function streamProvider(call: ProviderCall): Promise<{ tokensIn: number; tokensOut: number; model: string }> {
  const provider = createOpenAICompatible({
    name: "custom",
    baseURL: call.baseUrl,
    ...(call.apiKey ? { apiKey: call.apiKey } : {}),
    includeUsage: true,
    fetch: guardedFetch,
  });
  const bound = call.bound;
  let received = "";
  let failure: unknown = null;
  const result = streamText({
    model: provider.chatModel(call.model),
    system: call.system,
    messages: call.messages,
    maxOutputTokens: call.maxTokens,
    ...(call.temperature != null ? { temperature: call.temperature } : {}),
    abortSignal: call.signal,
    maxRetries: 0,
    onError: ({ error }) => {
      failure ??= error;
    },
  });
  try {
    for await (const text of result.textStream) {
      received += text;
      call.onText(text);
    }
  } catch (error) {
    failure ??= error;
  }
  const clamp = (usage: { tokensIn: number; tokensOut: number }) => ({
    tokensIn: Math.min(bound.tokensIn, Math.max(0, Math.ceil(usage.tokensIn))),
    tokensOut: Math.min(bound.tokensOut, Math.max(0, Math.ceil(usage.tokensOut))),
  });
  // Without a report: the whole request as input (what the hold assumed) and the text received as output.
  const counted = clamp({ tokensIn: bound.tokensIn, tokensOut: Buffer.byteLength(received, "utf8") });
  if (call.signal.aborted) return { ...counted, model: call.model };
  if (failure) throw new UpstreamError(describeProviderFailure(call, failure, received), "provider:failed", received ? counted : { tokensIn: 0, tokensOut: 0 });
  const usage = await Promise.resolve(result.usage).catch(() => null);
  const reported = usage && usage.inputTokens != null && usage.outputTokens != null ? clamp({ tokensIn: usage.inputTokens, tokensOut: usage.outputTokens }) : counted;
  return { ...reported, model: call.model };
}

function describeProviderFailure(call: ProviderCall, failure: unknown, received: string): string {
  const name = `${call.providerName} (${call.model})`;
  if (isAppError(failure)) return `${name}: ${failure.message}`;
  const status = (failure as { statusCode?: unknown })?.statusCode;
  if (status === 401 || status === 403) return `${name} refused the key (HTTP ${status}). The project owner can check it under Settings → Providers.`;
  if (typeof status === "number" && status >= 400) return `${name} answered HTTP ${status}. Try again, or pick another model.`;
  const cause = failure instanceof Error ? (failure.cause instanceof Error ? failure.cause.message : failure.message) : String(failure);
  const when = received ? "failed after it had started answering (what it wrote is kept, and only that was charged)" : "failed before answering";
  return `${name} ${when}: ${cause.slice(0, 200)}. Try again, or pick another model.`;
}
