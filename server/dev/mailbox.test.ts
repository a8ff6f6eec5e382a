import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { resetEnvForTests } from "@/server/env";
import { enqueueMail } from "@/server/mail/outbox";
import { createTestDatabase } from "@/testing/database";
import { devMailboxAnswers } from "./mailbox";

const saved = { ...process.env };
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());
afterEach(() => {
  process.env = { ...saved };
  resetEnvForTests();
  vi.restoreAllMocks();
});

function runAs(nodeEnv: "development" | "production", extra: Record<string, string> = {}) {
  delete process.env.SMTP_URL;
  delete process.env.ARBOR_DEV_MAILBOX;
  Object.assign(process.env, { NODE_ENV: nodeEnv, AUTH_SECRET: "s".repeat(40), ENCRYPTION_KEY: "a".repeat(64), ...extra });
  resetEnvForTests();
}
const from = (address: string, host = "localhost:3000") => new Headers({ "x-forwarded-for": address, host });

describe("/dev/mailbox", () => {
  it("does not exist in a production build without the explicit opt-in, even from this machine", () => {
    runAs("production");
    expect(devMailboxAnswers(from("127.0.0.1"))).toBe(false);
    runAs("production", { ARBOR_DEV_MAILBOX: "1" });
    expect(devMailboxAnswers(from("127.0.0.1"))).toBe(true);
  });

  it("in development answers loopback only, not the LAN", () => {
    runAs("development");
    expect(devMailboxAnswers(from("127.0.0.1"))).toBe(true);
    expect(devMailboxAnswers(from("::1", "[::1]:3000"))).toBe(true);
    expect(devMailboxAnswers(from("192.168.1.20"))).toBe(false);
    expect(devMailboxAnswers(from("::ffff:10.0.0.7", "10.0.0.2:3000"))).toBe(false);
  });

  it("refuses a loopback request for another host name (DNS rebinding through a developer's browser)", () => {
    runAs("development");
    expect(devMailboxAnswers(from("127.0.0.1", "rebind.evil.example:3000"))).toBe(false);
  });

  it("is gone whenever SMTP is configured", () => {
    runAs("development", { SMTP_URL: "smtp://mail.example:25" });
    expect(devMailboxAnswers(from("127.0.0.1"))).toBe(false);
  });
});

describe("mail links in the server log", () => {
  const mail = { to: "ada@example.com", subject: "Your Arbor sign-in link", text: "Sign in: http://localhost:3000/api/auth/callback/email?token=secret123" };

  it("are never printed by a production build", async () => {
    runAs("production", { ARBOR_DEV_MAILBOX: "1" });
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await enqueueMail(database.db, mail);
    const printed = [...info.mock.calls, ...log.mock.calls].flat().join(" ");
    expect(printed).not.toContain("secret123");
  });

  it("are printed in development, for the developer at the terminal", async () => {
    runAs("development");
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    await enqueueMail(database.db, mail);
    expect(info.mock.calls.flat().join(" ")).toContain("secret123");
  });
});
