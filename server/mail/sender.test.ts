import { eq } from "drizzle-orm";
import { createTransport } from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { emailOutbox } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { enqueueMail } from "./outbox";
import { deliverDueMail } from "./sender";

let database: Database;
const received: { to: string; body: string }[] = [];
let failNext = 0;
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let body = "";
      stream.on("data", (c: Buffer) => (body += c.toString()));
      stream.on("end", () => {
        if (failNext > 0) {
          failNext--;
          return callback(new Error("451 try again later"));
        }
        received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), body });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
});

describe("mail sender over real SMTP", () => {
  it("delivers queued mail through nodemailer and never loses one on a failed send", async () => {
    const { db } = database;
    const transport = createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    const id = await enqueueMail(db, { to: "grace@example.com", subject: "Hello", text: "Link: http://localhost:3000/x" });

    failNext = 1;
    expect(await deliverDueMail(db, { transport, from: "Arbor <a@localhost>" })).toEqual({ sent: 0, failed: 1 });
    let [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row?.status).toBe("pending");
    expect(row?.lastError).toMatch(/try again/);
    expect(row?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    // Not due yet: nothing is sent twice or early.
    expect(await deliverDueMail(db, { transport, from: "Arbor <a@localhost>" })).toEqual({ sent: 0, failed: 0 });
    await db.update(emailOutbox).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(emailOutbox.id, id));
    expect(await deliverDueMail(db, { transport, from: "Arbor <a@localhost>" })).toEqual({ sent: 1, failed: 0 });
    [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row?.status).toBe("sent");
    expect(row?.attempts).toBe(2);
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toBe("grace@example.com");
    expect(received[0]?.body).toContain("http://localhost:3000/x");
  });

  it("does not send mail of a rolled-back change", async () => {
    const { db } = database;
    await expect(
      db.transaction(async (tx) => {
        await enqueueMail(tx, { to: "nobody@example.com", subject: "Never", text: "x" });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await db.select().from(emailOutbox).where(eq(emailOutbox.to, "nobody@example.com"))).toHaveLength(0);
  });
});
