import { describe, expect, it } from "vitest";
import type { Env } from "@/server/env";
import { PRODUCER_GONE_AFTER_MS } from "@/server/billing/expiry";
import { HEARTBEAT_MS } from "@/server/chat/stream/answer-run";
import { listJobs } from "./jobs";

const env = (extra: Partial<Env> = {}) => ({ MAIL_FROM: "Arbor <arbor@localhost>", ...extra }) as Env;

describe("the list of background work", () => {
  it("names every boot task and worker once", () => {
    const { bootTasks, workers } = listJobs(env());
    const names = [...bootTasks, ...workers].map((job) => job.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["model prices", "interrupted chat streams", "knowledge processing", "handover expiry", "billing: meter report", "retention", "chat summaries", "adapters: processing", "adapters: abandoned uploads", "trash: purge"]));
    expect(workers.every((w) => w.intervalMs >= 1_000)).toBe(true);
  });

  it("sends mail only when an SMTP server is configured", () => {
    const without = listJobs(env());
    expect([...without.bootTasks, ...without.workers].some((job) => job.name.startsWith("mail:"))).toBe(false);
    const withSmtp = listJobs(env({ SMTP_URL: "smtp://127.0.0.1:2525" }));
    expect(withSmtp.workers.map((w) => w.name)).toContain("mail: sender");
    expect(withSmtp.bootTasks.map((t) => t.name)).toContain("mail: requeue stuck");
  });

  // docs/scaling.md and e2e/instances.spec.ts promise: an answer whose instance was killed is marked interrupted within 30 s.
  it("sweeps for dead producers often enough to find one within 30 s, without taking a live one for dead", () => {
    const sweep = listJobs(env()).workers.find((w) => w.name === "stale chat streams");
    expect(sweep).toBeDefined();
    expect(PRODUCER_GONE_AFTER_MS + (sweep?.intervalMs ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(30_000);
    // several missed beats, not one late one, make a producer gone
    expect(PRODUCER_GONE_AFTER_MS).toBeGreaterThanOrEqual(3 * HEARTBEAT_MS);
  });
});
