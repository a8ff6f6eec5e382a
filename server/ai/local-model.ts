import "server-only";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, streamText } from "ai";
import { getEnv } from "@/server/env";
import { type ChatTurn, estimateTokens, UpstreamError } from "./types";

export function localModelConfigured(): boolean {
  return Boolean(getEnv().LOCAL_MODEL_URL);
}

export function localModelName(): string {
  return getEnv().LOCAL_MODEL_NAME ?? "local";
}

/** The optional local tier: any OpenAI-compatible server (Ollama, llama.cpp, vLLM) through the AI SDK. */
export async function streamLocalModel(call: {
  system: string;
  messages: ChatTurn[];
  maxTokens: number;
  temperature?: number | null;
  signal: AbortSignal;
  onText: (text: string) => void;
  /** a LoRA adapter's served name (vLLM and llama.cpp serve adapters as model names); default LOCAL_MODEL_NAME */
  model?: string;
}): Promise<{ tokensIn: number; tokensOut: number; model: string }> {
  const env = getEnv();
  if (!env.LOCAL_MODEL_URL) throw new UpstreamError("No local model is configured (LOCAL_MODEL_URL).", "local:not_configured", { tokensIn: 0, tokensOut: 0 });
  const provider = createOpenAICompatible({ name: "local", baseURL: env.LOCAL_MODEL_URL });
  const model = call.model ?? localModelName();
  let received = "";
  let failure: unknown = null;
  const result = streamText({
    model: provider.chatModel(model),
    system: call.system,
    messages: call.messages,
    maxOutputTokens: call.maxTokens,
    ...(call.temperature != null ? { temperature: call.temperature } : {}),
    abortSignal: call.signal,
    maxRetries: 0,
    onError: ({ error }) => {
      failure = error;
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
  const fallback = { tokensIn: estimateTokens(call.system + call.messages.map((m) => m.content).join("\n")), tokensOut: estimateTokens(received) };
  if (call.signal.aborted) return { ...fallback, model };
  if (failure) {
    throw new UpstreamError(`The local model failed: ${failure instanceof Error ? failure.message : String(failure)}`, "local:failed", fallback);
  }
  const usage = await result.usage;
  return { tokensIn: usage.inputTokens ?? fallback.tokensIn, tokensOut: usage.outputTokens ?? fallback.tokensOut, model };
}

/** One short, non-streamed completion from the local model (housekeeping such as chat titles). */
export async function completeWithLocalModel(call: { system: string; prompt: string; maxTokens: number; signal: AbortSignal }): Promise<string> {
  const env = getEnv();
  if (!env.LOCAL_MODEL_URL) throw new Error("No local model is configured (LOCAL_MODEL_URL).");
  const provider = createOpenAICompatible({ name: "local", baseURL: env.LOCAL_MODEL_URL });
  const result = await generateText({
    model: provider.chatModel(localModelName()),
    system: call.system,
    prompt: call.prompt,
    maxOutputTokens: call.maxTokens,
    abortSignal: call.signal,
    maxRetries: 0,
  });
  return result.text;
}
