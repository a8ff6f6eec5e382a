import "server-only";
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { chatStreams, messages } from "./chat";
import { createdAt, id, micros, ts, updatedAt } from "./columns";
import { projects } from "./projects";

export const BILLING_TIERS = ["free", "managed", "byok"] as const;
export type BillingTier = (typeof BILLING_TIERS)[number];

/**
 * Stripe customers of removed accounts, still to be deleted at Stripe
 * (server/billing/customer-deletion.ts). Queued in the transaction that
 * removes the account; the call to Stripe happens after it, outside any
 * transaction, and is retried with backoff until Stripe confirms. Holds only
 * Stripe's id: nothing here names the person.
 */
export const stripeCustomerDeletions = pgTable("stripe_customer_deletions", {
  customerId: text("customer_id").primaryKey(),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
  lastError: text("last_error"),
  createdAt: createdAt(),
});

/** One per payer. Everything in micro-USD. */
export const billingAccounts = pgTable(
  "billing_accounts",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    tier: text("tier", { enum: BILLING_TIERS }).notNull().default("free"),
    stripeCustomerId: text("stripe_customer_id"),
    creditsMicros: micros("credits_micros").notNull().default(sql`0`),
    /** the person's own spending limit per period; null = none */
    ceilingMicros: micros("ceiling_micros"),
    freeAllowanceMicros: micros("free_allowance_micros").notNull().default(sql`1000000`),
    /** spent in the current period (net charges), and held by open reservations */
    periodSpentMicros: micros("period_spent_micros").notNull().default(sql`0`),
    reservedMicros: micros("reserved_micros").notNull().default(sql`0`),
    /** charged but not yet invoiced (managed/byok) */
    unbilledMicros: micros("unbilled_micros").notNull().default(sql`0`),
    periodStart: ts("period_start").notNull().defaultNow(),
    /** a pending first-year price (handover incentive), applied at the next Checkout */
    pendingCouponPriceMicros: micros("pending_coupon_price_micros"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("billing_accounts_customer_idx").on(t.stripeCustomerId)],
);
export type BillingAccount = typeof billingAccounts.$inferSelect;

export const subscriptions = pgTable(
  "subscriptions",
  {
    id: text("id").primaryKey(), // Stripe subscription id
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tier: text("tier", { enum: BILLING_TIERS }).notNull(),
    status: text("status").notNull(),
    currentPeriodEnd: ts("current_period_end"),
    cancelAtPeriodEnd: integer("cancel_at_period_end").notNull().default(0),
    /** Stripe's own `created`/event time of the state we hold, so an older event never overwrites a newer one */
    stripeUpdatedAt: bigint("stripe_updated_at", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("subscriptions_user_idx").on(t.userId)],
);

/** Immutable record of one model call. `request_id` makes it idempotent. */
export const usageEvents = pgTable(
  "usage_events",
  {
    id: id(),
    requestId: text("request_id").notNull(),
    payerId: uuid("payer_id").references(() => users.id, { onDelete: "set null" }),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    tier: text("tier", { enum: ["local", "cloud"] }).notNull(),
    billingTier: text("billing_tier", { enum: BILLING_TIERS }),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    tokensIn: integer("tokens_in").notNull(),
    tokensOut: integer("tokens_out").notNull(),
    costBasisMicros: micros("cost_basis_micros").notNull(),
    markupMicros: micros("markup_micros").notNull().default(sql`0`),
    feeMicros: micros("fee_micros").notNull().default(sql`0`),
    creditsAppliedMicros: micros("credits_applied_micros").notNull().default(sql`0`),
    netChargeMicros: micros("net_charge_micros").notNull(),
    meterReportedAt: ts("meter_reported_at"),
    meterAttempts: integer("meter_attempts").notNull().default(0),
    meterError: text("meter_error"),
    /** when the meter reporter may try again (exponential backoff after a failure); null = now */
    meterNextAttemptAt: ts("meter_next_attempt_at"),
    /** set when the retries ran out: the event waits here, visible and still retried slowly, until Stripe takes it */
    meterDeadLetteredAt: ts("meter_dead_lettered_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("usage_events_request_idx").on(t.requestId),
    // billing dashboards by payer and day
    index("usage_events_payer_idx").on(t.payerId, t.createdAt),
    index("usage_events_project_idx").on(t.projectId, t.createdAt),
    // the meter reporter's queue
    index("usage_events_meter_idx").on(t.meterReportedAt),
  ],
);
export type UsageEvent = typeof usageEvents.$inferSelect;

/** platform: Arbor's key; byok: the payer's Anthropic key; provider: a project's own OpenAI-compatible provider (its owner pays it directly) */
export const KEY_SOURCES = ["platform", "byok", "provider"] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

/**
 * Holds on a payer's budget and a member's quota while a cloud call runs. A
 * hold records the terms it was placed under — tier, whose key, the model and
 * its prices, the token bounds it covers — and is settled on those terms,
 * whatever the account looks like by then.
 */
export const reservations = pgTable(
  "reservations",
  {
    id: id(),
    requestId: text("request_id").notNull(),
    payerId: uuid("payer_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** the chat answer the call belongs to, so recovery finds what it produced (null for calls outside a chat) */
    streamId: uuid("stream_id").references(() => chatStreams.id, { onDelete: "set null" }),
    amountMicros: micros("amount_micros").notNull(),
    status: text("status", { enum: ["open", "settled", "released", "expired"] }).notNull().default("open"),
    billingTier: text("billing_tier", { enum: BILLING_TIERS }).notNull(),
    keySource: text("key_source", { enum: KEY_SOURCES }).notNull(),
    model: text("model").notNull(),
    inputMicrosPerMTok: micros("input_micros_per_mtok").notNull(),
    outputMicrosPerMTok: micros("output_micros_per_mtok").notNull(),
    /** the most input and output tokens the upstream can bill for this request (the hold covers exactly these) */
    boundTokensIn: integer("bound_tokens_in").notNull(),
    boundTokensOut: integer("bound_tokens_out").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
    closedAt: ts("closed_at"),
  },
  (t) => [uniqueIndex("reservations_request_idx").on(t.requestId), index("reservations_open_idx").on(t.status, t.expiresAt)],
);
export type Reservation = typeof reservations.$inferSelect;

/**
 * Something that must never happen to money, recorded for the operator (and
 * failing the test suite): an upstream billed more than the hold covered.
 */
export const billingIncidents = pgTable(
  "billing_incidents",
  {
    id: id(),
    kind: text("kind", { enum: ["charge_over_hold"] }).notNull(),
    requestId: text("request_id").notNull(),
    reservationId: uuid("reservation_id").references(() => reservations.id, { onDelete: "set null" }),
    payerId: uuid("payer_id").references(() => users.id, { onDelete: "set null" }),
    heldMicros: micros("held_micros").notNull(),
    chargedMicros: micros("charged_micros").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  // the operator's list, newest first
  (t) => [index("billing_incidents_created_idx").on(t.createdAt)],
);

/** Every Stripe event, stored by its id before it is acted on: a replay is a no-op. */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  stripeCreated: bigint("stripe_created", { mode: "number" }).notNull(),
  receivedAt: createdAt(),
  processedAt: ts("processed_at"),
  outcome: text("outcome", { enum: ["pending", "processed", "ignored", "failed"] }).notNull().default("pending"),
  attempts: integer("attempts").notNull().default(0),
  error: text("error"),
});

/** Model ids and their prices are data an operator can edit, never constants in code. */
export const modelPrices = pgTable("model_prices", {
  model: text("model").primaryKey(),
  provider: text("provider").notNull(),
  label: text("label").notNull(),
  family: text("family", { enum: ["haiku", "sonnet", "opus", "local"] }).notNull(),
  inputMicrosPerMTok: micros("input_micros_per_mtok").notNull(),
  outputMicrosPerMTok: micros("output_micros_per_mtok").notNull(),
  isDefault: integer("is_default").notNull().default(0),
  deprecated: integer("deprecated").notNull().default(0),
  updatedAt: updatedAt(),
});
export type ModelPrice = typeof modelPrices.$inferSelect;

/** BYOK keys: AES-256-GCM ciphertext; only `hint` (masked) ever leaves the server. */
export const providerKeys = pgTable(
  "provider_keys",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text("provider").notNull().default("anthropic"),
    ciphertext: text("ciphertext").notNull(),
    hint: text("hint").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("provider_keys_user_provider_idx").on(t.userId, t.provider)],
);

export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** the preference it was sent under (a NOTIFY_CATEGORIES name); null for account notices that always reach the bell (payments) */
    category: text("category"),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** where the bell's entry leads (a message in its chat, a project tab); null for account-wide news */
    href: text("href"),
    projectId: uuid("project_id"),
    /** the person's preference for this category was "mail": the digest worker sends it (server/notify/digest.ts) */
    mailPending: boolean("mail_pending").notNull().default(false),
    readAt: ts("read_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.createdAt),
    // the digest worker: mails still owed
    index("notifications_mail_idx").on(t.mailPending, t.createdAt),
  ],
);

/** At most one alert per threshold per period, so a busy month does not flood the inbox. */
export const budgetAlerts = pgTable(
  "budget_alerts",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    periodStart: ts("period_start").notNull(),
    thresholdPercent: integer("threshold_percent").notNull(),
    sentAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.periodStart, t.thresholdPercent] })],
);

/** Checkout sessions we created, so fulfilment knows what was bought. */
export const checkoutSessions = pgTable("checkout_sessions", {
  id: text("id").primaryKey(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  kind: text("kind", { enum: ["subscribe_managed", "subscribe_byok", "credits"] }).notNull(),
  amountMicros: micros("amount_micros"),
  status: text("status", { enum: ["open", "complete", "expired"] }).notNull().default("open"),
  detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
  fulfilledAt: ts("fulfilled_at"),
});
