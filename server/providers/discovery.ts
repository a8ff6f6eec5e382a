import "server-only";
import { AppError, isAppError } from "@/server/errors";
import { guardedFetch } from "./address";

/** More than this many models is not a model server we can show a price form for. */
export const MAX_DISCOVERED_MODELS = 200;
const MAX_BODY_BYTES = 1024 * 1024;
const TIMEOUT_MS = 10_000;

/**
 * The models an OpenAI-compatible server lists at GET {baseUrl}/models
 * (`{"object":"list","data":[{"id":…}]}`), with the key as a Bearer token.
 * Every way it can fail gets words a person can act on: unreachable, the key
 * refused, or an answer that is not that protocol.
 */
export async function discoverModels(baseUrl: string, apiKey: string | null): Promise<string[]> {
  const url = `${baseUrl.replace(/\/+$/, "")}/models`;
  let response: Response;
  try {
    response = await guardedFetch(url, {
      method: "GET",
      headers: { accept: "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    if (isAppError(error)) throw error;
    const code = error instanceof Error && "code" in error ? ` (${String((error as { code: unknown }).code)})` : "";
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new AppError(
      "unavailable:provider",
      timedOut ? `The provider did not answer ${url} within 10 seconds.` : `The provider could not be reached at ${url}${code}. Check the base URL and that the server is running.`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new AppError("bad_request:provider_key", `The provider refused the key (HTTP ${response.status} from ${url}). Check the key and try again.`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError("bad_request:provider_protocol", `The provider answered HTTP ${response.status} at ${url}: it does not look like an OpenAI-compatible server (the base URL usually ends in /v1).`);
  }
  const text = await readCapped(response);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw notTheProtocol(url, "its answer is not JSON");
  }
  const data = (parsed as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw notTheProtocol(url, "its answer has no `data` list of models");
  const ids = data.map((m) => (m as { id?: unknown })?.id).filter((id): id is string => typeof id === "string" && id.trim().length > 0 && id.length <= 200);
  if (ids.length === 0) throw new AppError("bad_request:provider_protocol", `The provider lists no models at ${url}. Load a model on it first, then add it again.`);
  if (ids.length > MAX_DISCOVERED_MODELS) throw new AppError("bad_request:provider_protocol", `The provider lists ${ids.length} models; Arbor takes at most ${MAX_DISCOVERED_MODELS}.`);
  return [...new Set(ids)];
}

function notTheProtocol(url: string, why: string): AppError {
  return new AppError("bad_request:provider_protocol", `${url} does not speak the OpenAI-compatible protocol: ${why}. The base URL usually ends in /v1.`);
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new AppError("bad_request:provider_protocol", "The provider's model list is larger than 1 MB; that is not an OpenAI-compatible model list.");
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}
