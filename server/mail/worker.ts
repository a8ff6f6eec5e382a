import "server-only";
import { createTransport } from "nodemailer";
import { registerBootTask, registerWorker } from "@/server/boot";
import { getEnv } from "@/server/env";
import { deliverDueMail, requeueStuckMail, setMailKick } from "./sender";

/** Only with SMTP_URL: without it, mail stays in the outbox and /dev/mailbox shows it. */
const env = getEnv();
if (env.SMTP_URL) {
  const transport = createTransport(env.SMTP_URL);
  registerBootTask("mail:requeue-stuck", requeueStuckMail);
  registerWorker("mail:sender", 2_000, async (db) => {
    setMailKick(() => void deliverDueMail(db, transport, env.MAIL_FROM).catch((e) => console.error("[arbor] mail kick failed", e)));
    await deliverDueMail(db, transport, env.MAIL_FROM);
  });
}
