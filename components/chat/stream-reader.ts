import { SseParser } from "./sse-parser";
import { parseStreamEvent, type StreamEvent } from "@/lib/chat-protocol";

/** One answer being followed: where we are in its ledger and whether it has ended. */
export type StreamRun = {
  abort: AbortController;
  streamId: string | null;
  /** the id of the last event seen, echoed back as Last-Event-ID on resume */
  lastEventId: string | null;
  terminal: boolean;
};

export function newRun(streamId: string | null = null): StreamRun {
  return { abort: new AbortController(), streamId, lastEventId: null, terminal: false };
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The error message of a failed response, in the `{ error: { message } }` shape Route Handlers send. */
export async function responseError(response: Response): Promise<string> {
  return (await responseErrorDetail(response)).message;
}

/** The error of a failed response with its code (lib/errors.ts), so the chat can offer what the code calls for. */
export async function responseErrorDetail(response: Response): Promise<{ code: string | null; message: string }> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.message === "string") return { code: typeof body.error.code === "string" ? body.error.code : null, message: body.error.message };
  } catch {
    // not JSON: fall back to the status below
  }
  if (response.status === 401) return { code: null, message: "Your session has ended. Please sign in again." };
  if (response.status === 403) return { code: null, message: "Your role in this project does not allow this." };
  return { code: null, message: `The server answered ${response.status}. Please try again.` };
}

/**
 * Read one SSE body to its end. "dropped" when it closed or failed before an
 * `end`/`error` event — the caller resumes from `run.lastEventId`.
 */
export async function readEvents(response: Response, run: StreamRun, onEvent: (event: StreamEvent) => void): Promise<"terminal" | "dropped"> {
  if (!response.body) return "dropped";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        if (message.id !== null) run.lastEventId = message.id;
        const event = parseStreamEvent(message.data);
        if (!event) continue;
        if (event.type === "end" || event.type === "error") run.terminal = true;
        onEvent(event);
        if (run.terminal) return "terminal";
      }
    }
  } catch (error) {
    if (run.abort.signal.aborted) throw error;
  } finally {
    reader.releaseLock();
  }
  return "dropped";
}

type FollowOptions = {
  onEvent: (event: StreamEvent) => void;
  onReconnecting?: () => void;
  /** true: the first GET is not a retry (attaching to a running stream) */
  fresh: boolean;
  fetchImpl?: Fetch;
  attempts?: number;
  delayMs?: number;
};

/**
 * `GET /api/chat/<streamId>` with `Last-Event-ID` until a terminal event,
 * retrying dropped connections with a growing pause. Returns an error message
 * when the stream cannot be followed any further, else null.
 */
export async function followStream(run: StreamRun, { onEvent, onReconnecting, fresh, fetchImpl = fetch, attempts = 6, delayMs = 300 }: FollowOptions): Promise<string | null> {
  let failures = 0;
  let first = fresh;
  while (!run.terminal && run.streamId) {
    if (!first) {
      failures += 1;
      if (failures > attempts) break;
      onReconnecting?.();
      await sleep(delayMs * failures);
    }
    first = false;
    let response: Response;
    try {
      response = await fetchImpl(`/api/chat/${run.streamId}`, {
        headers: run.lastEventId !== null ? { "Last-Event-ID": run.lastEventId } : {},
        signal: run.abort.signal,
        cache: "no-store",
      });
    } catch (error) {
      if (run.abort.signal.aborted) throw error;
      continue;
    }
    if (!response.ok) {
      // Unknown, foreign or expired stream: nothing to resume; the thread shows what was saved.
      if (response.status >= 400 && response.status < 500) {
        run.terminal = true;
        return responseError(response);
      }
      continue;
    }
    const before = run.lastEventId;
    await readEvents(response, run, onEvent);
    // Progress resets the patience: only consecutive failures give up.
    if (run.lastEventId !== before) failures = 0;
  }
  return run.terminal ? null : "Lost the connection to this answer. Reload the page to see how far it got.";
}
