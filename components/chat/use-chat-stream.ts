"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPCClient } from "@/components/providers/trpc";
import type { ChatRequestBody, EndEvent, StreamEvent, StreamPhase } from "@/lib/chat-protocol";
import { followStream, newRun, readEvents, responseErrorDetail, type StreamRun } from "./stream-reader";

type Run = StreamRun & { stopRequested: boolean };

/** The body of POST /api/chat, minus the requestId the hook makes itself. */
/** A turn to send; without a chatId the POST starts a new chat of the project (one round trip, docs/api.md) — with `adapterId`, one that answers with that adapter. */
export type SendRequest = Omit<ChatRequestBody, "requestId" | "chatId"> & { chatId?: string; adapterId?: string | null };
/** `onChat`: the new chat's id, as soon as the server says it (X-Chat-Id), even if the turn itself was refused. */
export type SendOptions = { onChat?: (chatId: string) => void };

export type LiveAnswer = {
  /** "send": this tab asked; "attach": this tab joined a stream already running (reload, or another member's). */
  mode: "send" | "attach";
  streamId: string | null;
  userMessageId: string | null;
  assistantMessageId: string | null;
  branchId: string | null;
  /** where the new exchange hangs in the tree before the server has told us its ids */
  parentId: string | null;
  answerTo: string | null;
  pendingUserText: string | null;
  text: string;
  phase: StreamPhase | null;
  agent: string | null;
  state: "connecting" | "streaming" | "reconnecting" | "stopping" | "finished";
  error: string | null;
  /** the error's code when the server refused the request (lib/errors.ts), e.g. forbidden:email_unverified */
  errorCode: string | null;
  end: EndEvent | null;
};

/** A live answer that has not heard from the server yet. */
export function connectingAnswer(mode: LiveAnswer["mode"], known: Partial<LiveAnswer> = {}): LiveAnswer {
  return {
    mode,
    streamId: null,
    userMessageId: null,
    assistantMessageId: null,
    branchId: null,
    parentId: null,
    answerTo: null,
    pendingUserText: null,
    text: "",
    phase: null,
    agent: null,
    state: "connecting",
    error: null,
    errorCode: null,
    end: null,
    ...known,
  };
}

type Options = {
  projectId: string;
  /** the first event told us which branch and messages the answer belongs to */
  onStarted?: (ids: { branchId: string | null; userMessageId: string | null; assistantMessageId: string | null }) => void;
  /** the stream ended (end, error, stop or gave up); the caller refreshes the thread before the live view goes */
  onFinished?: (live: LiveAnswer) => Promise<unknown> | void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Streams one answer at a time: POSTs /api/chat and reads the SSE body with
 * fetch (EventSource cannot POST), resumes a dropped connection with
 * `GET /api/chat/<streamId>` + `Last-Event-ID`, and attaches to streams that
 * are already running (after a reload, or another member's answer).
 */
export function useChatStream({ projectId, onStarted, onFinished }: Options) {
  const client = useTRPCClient();
  const [live, setLive] = useState<LiveAnswer | null>(null);
  const liveRef = useRef<LiveAnswer | null>(null);
  const runRef = useRef<Run | null>(null);
  const callbacks = useRef({ onStarted, onFinished });
  callbacks.current = { onStarted, onFinished };

  const update = useCallback((patch: Partial<LiveAnswer> | ((prev: LiveAnswer) => Partial<LiveAnswer>)) => {
    const prev = liveRef.current;
    if (!prev) return;
    const next = { ...prev, ...(typeof patch === "function" ? patch(prev) : patch) };
    liveRef.current = next;
    setLive(next);
  }, []);

  useEffect(
    () => () => {
      // Leaving the page only stops reading: the answer keeps being produced on the server.
      runRef.current?.abort.abort();
    },
    [],
  );

  const handle = useCallback(
    (event: StreamEvent, run: Run) => {
      switch (event.type) {
        case "content":
          update((prev) => ({ text: prev.text + event.text, state: prev.state === "stopping" ? "stopping" : "streaming" }));
          return;
        case "metadata": {
          const prev = liveRef.current;
          const learnedIds = Boolean(event.assistantMessageId) && !prev?.assistantMessageId;
          update((p) => ({
            phase: event.phase,
            agent: event.agent ?? p.agent,
            userMessageId: event.userMessageId ?? p.userMessageId,
            assistantMessageId: event.assistantMessageId ?? p.assistantMessageId,
            branchId: event.branchId ?? p.branchId,
            state: p.state === "stopping" ? "stopping" : "streaming",
          }));
          if (learnedIds) {
            callbacks.current.onStarted?.({
              branchId: event.branchId ?? null,
              userMessageId: event.userMessageId ?? null,
              assistantMessageId: event.assistantMessageId ?? null,
            });
          }
          return;
        }
        case "end":
          run.terminal = true;
          update({ end: event, state: "finished", phase: null });
          return;
        case "error":
          run.terminal = true;
          update({ error: event.message, state: "finished", phase: null });
          return;
      }
    },
    [update],
  );

  const follow = useCallback(
    async (run: Run, fresh: boolean) => {
      const error = await followStream(run, {
        fresh,
        onEvent: (event) => handle(event, run),
        onReconnecting: () => update({ state: "reconnecting" }),
      });
      if (error) update({ error, state: "finished" });
    },
    [handle, update],
  );

  const finish = useCallback(async (run: Run) => {
    if (runRef.current !== run) return;
    const final = liveRef.current;
    try {
      if (final) await callbacks.current.onFinished?.(final);
    } finally {
      // The caller has refreshed the thread (which now holds the saved answer, or its error), so the live view goes.
      if (runRef.current === run) {
        runRef.current = null;
        liveRef.current = null;
        setLive(null);
      }
    }
  }, []);

  const start = useCallback((initial: LiveAnswer): Run | null => {
    const running = runRef.current;
    // An aborted run is over (unmount, or React's dev double-mount cancelling the first attach).
    if (running && !running.terminal && !running.abort.signal.aborted) return null;
    running?.abort.abort();
    const run: Run = { ...newRun(initial.streamId), stopRequested: false };
    runRef.current = run;
    liveRef.current = initial;
    setLive(initial);
    return run;
  }, []);

  const send = useCallback(
    async (request: SendRequest, options: SendOptions = {}): Promise<boolean> => {
      const run = start(
        connectingAnswer("send", {
          branchId: request.branchId ?? null,
          parentId: request.parentId ?? null,
          answerTo: request.answerTo ?? null,
          pendingUserText: request.content ?? null,
        }),
      );
      if (!run) return false;
      const requestId = crypto.randomUUID();
      try {
        let response: Response | null = null;
        // The requestId makes a retried POST return the same stream, never a second answer.
        for (let attempt = 0; attempt < 3 && !response; attempt += 1) {
          try {
            response = await fetch("/api/chat", {
              method: "POST",
              headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
              body: JSON.stringify({ ...request, projectId, requestId }),
              signal: run.abort.signal,
            });
          } catch (error) {
            if (run.abort.signal.aborted) throw error;
            await sleep(400 * (attempt + 1));
          }
        }
        if (!response) {
          update({ error: "Could not reach the server. Check your connection and try again.", state: "finished" });
          return true;
        }
        const madeChat = request.chatId ? null : response.headers.get("X-Chat-Id");
        if (madeChat) options.onChat?.(madeChat);
        if (!response.ok) {
          const refused = await responseErrorDetail(response);
          update({ error: refused.message, errorCode: refused.code, state: "finished" });
          return true;
        }
        run.streamId = response.headers.get("X-Stream-Id");
        update({ streamId: run.streamId });
        if (run.stopRequested && run.streamId) void client.chat.stop.mutate({ projectId, streamId: run.streamId });
        const outcome = await readEvents(response, run, (event) => handle(event, run));
        if (outcome === "dropped") await follow(run, false);
      } catch (error) {
        if (!run.abort.signal.aborted) {
          update({ error: error instanceof Error ? error.message : "The answer failed. Please try again.", state: "finished" });
        }
      } finally {
        if (!run.abort.signal.aborted) await finish(run);
      }
      return true;
    },
    [client, finish, follow, handle, projectId, start, update],
  );

  /** Join a stream that is already running, replaying its ledger from the first event. */
  const attach = useCallback(
    async (streamId: string, assistantMessageId: string | null) => {
      const run = start(connectingAnswer("attach", { streamId, assistantMessageId }));
      if (!run) return;
      try {
        await follow(run, true);
      } catch (error) {
        if (!run.abort.signal.aborted) {
          update({ error: error instanceof Error ? error.message : "Could not follow this answer.", state: "finished" });
        }
      } finally {
        if (!run.abort.signal.aborted) await finish(run);
      }
    },
    [finish, follow, start, update],
  );

  const stop = useCallback(async () => {
    const run = runRef.current;
    if (!run || run.terminal) return;
    run.stopRequested = true;
    update({ state: "stopping" });
    // Without a stream id yet, send() issues the stop as soon as the headers arrive.
    if (!run.streamId) return;
    try {
      await client.chat.stop.mutate({ projectId, streamId: run.streamId });
    } catch (error) {
      update({ error: error instanceof Error ? error.message : "Could not stop the answer." });
    }
  }, [client, projectId, update]);

  return { live, send, attach, stop };
}
