import "server-only";
import { createTransport } from "nodemailer";
import type { Db } from "@/db/client";
import { processPendingAdapters } from "@/server/adapters/process";
import { cleanAbandonedUploads } from "@/server/adapters/uploads";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { expireReservations, PRODUCER_GONE_AFTER_MS, STALE_STREAM_SWEEP_MS } from "@/server/billing/expiry";
import { reportUsageToStripe } from "@/server/billing/meter";
import { retryStripeEvents } from "@/server/billing/webhook";
import { recoverInterruptedStreams } from "@/server/chat/stream/recover";
import { purgeDueTrash } from "@/server/chat/trash";
import type { Env } from "@/server/env";
import { downsampleVitals } from "@/server/devices/vitals";
import { expireHandovers } from "@/server/handover/expire";
import { processPendingSources } from "@/server/knowledge/process";
import { pruneRequestLogs } from "@/server/request-logs/logs";
import { pruneExpiredRows, retentionPeriods } from "@/server/security/retention";
import { deliverDueMail, requeueStuckMail, setMailKick } from "@/server/mail/sender";
import { deleteQueuedStripeCustomers } from "@/server/billing/customer-deletion";
import { purgeDueDeletions } from "@/server/account/deletion";
import { buildPendingExports } from "@/server/account/export";
import { sendDigests } from "@/server/notify/digest";
import { ABANDONED_UPLOAD_MS, getStorage } from "@/server/storage/store";
import { summariseStaleChats } from "@/server/summaries/keep-current";

/** One-off start-up work, run once per process after migrations. */
export type BootTask = { name: string; run: (db: Db) => Promise<unknown> };
/** A background loop. Its work is claimed in the database, so several instances can run it side by side. */
export type Worker = BootTask & { intervalMs: number };

/**
 * Every boot task and background worker Arbor runs, in one list (server/boot.ts
 * runs them). Adding one? Add it here: nothing registers itself on import.
 * @see docs/architecture.md#background-work
 */
export function listJobs(env: Env): { bootTasks: BootTask[]; workers: Worker[] } {
  const bootTasks: BootTask[] = [
    { name: "model prices", run: ensureModelPrices },
    // On the embedded database nothing else can be writing, so every stream left running at start-up
    // was cut off by a crash. On shared Postgres another instance may still be writing one: only streams
    // whose producer stopped renewing their heartbeat count, and the "stale chat streams" worker sweeps
    // for instances that died later.
    { name: "interrupted chat streams", run: (db) => recoverInterruptedStreams(db, { staleMs: env.DATABASE_URL ? PRODUCER_GONE_AFTER_MS : 0 }) },
  ];
  const workers: Worker[] = [
    { name: "stale chat streams", intervalMs: STALE_STREAM_SWEEP_MS, run: (db) => recoverInterruptedStreams(db, { staleMs: PRODUCER_GONE_AFTER_MS }) },
    // Uploads also kick processing at once (kickProcessing); this loop picks up the rest: link fetches, retries, crashed leases.
    { name: "knowledge processing", intervalMs: 5_000, run: (db) => processPendingSources(db) },
    // The last chunk kicks processing at once; this picks up a kick lost to a restart and runs whose instance died.
    { name: "adapters: processing", intervalMs: 10_000, run: (db) => processPendingAdapters(db, getStorage()) },
    // An upload that stopped arriving a day ago gives its storage back (docs/adapters.md#bad-input).
    { name: "adapters: abandoned uploads", intervalMs: 60 * 60_000, run: (db) => cleanAbandonedUploads(db, getStorage(), { olderThanMs: ABANDONED_UPLOAD_MS }) },
    // Reads and accepts expire lazily too; this keeps the owner's panel honest without a visit.
    { name: "handover expiry", intervalMs: 5 * 60_000, run: (db) => expireHandovers(db) },
    { name: "billing: expire reservations", intervalMs: 60_000, run: (db) => expireReservations(db) },
    { name: "billing: stripe event retry", intervalMs: 15_000, run: (db) => retryStripeEvents(db) },
    { name: "billing: meter report", intervalMs: 30_000, run: (db) => reportUsageToStripe(db) },
    // The owner's request log keeps each call for the project's retention period.
    { name: "request log retention", intervalMs: 60 * 60_000, run: (db) => pruneRequestLogs(db) },
    // Tables that only grow (stream ledgers, rate limits, security history, dead tokens), each kept as long as server/env.ts says.
    { name: "retention", intervalMs: 60 * 60_000, run: (db) => pruneExpiredRows(db, retentionPeriods(env)) },
    // Device vitals: five-minute averages for the long charts, then the raw day and the 30 days are trimmed (docs/devices.md#vitals).
    { name: "device vitals", intervalMs: 5 * 60_000, run: (db) => downsampleVitals(db) },
    // Local tier or the chat's own words, never a paid model (docs/search.md#summaries).
    { name: "chat summaries", intervalMs: 5_000, run: (db) => summariseStaleChats(db) },
    // A burst of events becomes one mail, through the outbox (docs/notifications.md).
    { name: "notification digests", intervalMs: 15_000, run: (db) => sendDigests(db) },
    // A person's data export, built in the background with progress (docs/account.md "Export").
    { name: "account exports", intervalMs: 3_000, run: (db) => buildPendingExports(db) },
    // What has been in a project's trash for 30 days is removed for good (docs/chat.md#trash).
    { name: "trash: purge", intervalMs: 10 * 60_000, run: (db) => purgeDueTrash(db) },
    // Accounts past their 14-day grace period (docs/account.md "Deletion").
    { name: "account deletions", intervalMs: 60_000, run: (db) => purgeDueDeletions(db) },
    { name: "billing: stripe customer deletions", intervalMs: 60_000, run: (db) => deleteQueuedStripeCustomers(db) },
  ];
  // Without SMTP_URL mail stays in the outbox and /dev/mailbox shows it.
  if (env.SMTP_URL) {
    const transport = createTransport(env.SMTP_URL);
    const deliver = (db: Db) => deliverDueMail(db, { transport, from: env.MAIL_FROM });
    bootTasks.push({ name: "mail: requeue stuck", run: requeueStuckMail });
    workers.push({
      name: "mail: sender",
      intervalMs: 2_000,
      run: (db) => {
        setMailKick(() => void deliver(db).catch((error) => console.error("[arbor] mail kick failed", error)));
        return deliver(db);
      },
    });
  }
  return { bootTasks, workers };
}
