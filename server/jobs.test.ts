import { describe, expect, it } from "vitest";
import type { Env } from "@/server/env";
import { listJobs } from "./jobs";

const env = (extra: Partial<Env> = {}) => ({ MAIL_FROM: "Arbor <arbor@localhost>", ...extra }) as Env;

describe("the list of background work", () => {
  it("names every boot task and worker once", () => {
    const { bootTasks, workers } = listJobs(env());
    const names = [...bootTasks, ...workers].map((job) => job.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["model prices", "interrupted chat streams", "knowledge processing", "handover expiry", "billing: meter report", "retention", "chat summaries", "adapters: processing", "adapters: abandoned uploads"]));
    expect(workers.every((w) => w.intervalMs >= 1_000)).toBe(true);
  });

  it("sends mail only when an SMTP server is configured", () => {
    const without = listJobs(env());
    expect([...without.bootTasks, ...without.workers].some((job) => job.name.startsWith("mail:"))).toBe(false);
    const withSmtp = listJobs(env({ SMTP_URL: "smtp://127.0.0.1:2525" }));
    expect(withSmtp.workers.map((w) => w.name)).toContain("mail: sender");
    expect(withSmtp.bootTasks.map((t) => t.name)).toContain("mail: requeue stuck");
  });
});
