import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import Stripe from "stripe";
import type { Db } from "@/db/client";
import { billingAccounts, checkoutSessions, memberSpend, projectMembers, reservations, usageEvents } from "@/db/schema";
import { claudeRequest, claudeUsageBound, outputTokensOf } from "@/server/ai/claude";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { settleAbandonedHold } from "@/server/billing/abandoned-hold";
import { reportUsageToStripe } from "@/server/billing/meter";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { settleReservation } from "@/server/billing/settle";
import { receiveStripeWebhook } from "@/server/billing/webhook";
import { acceptInvite, createInvite } from "@/server/collab/invites";
import { leaveProject } from "@/server/collab/members";
import { isAppError } from "@/server/errors";
import { deleteProject } from "@/server/projects/service";
import type { FakeStripe } from "./fakes/stripe-api";
import { countTokens } from "./fakes/anthropic";
import { makeProject, makeUser } from "./fixtures";

/**
 * A model-based property test of the money ledger (fast-check): random
 * histories of cloud turns — prompts of random size in ASCII, CJK and emoji,
 * random system prompts — that finish, stop, crash (and are recovered later)
 * or see the payer's tier switch mid-answer; retries with the same requestId;
 * credit top-ups delivered duplicated and shuffled through the signed
 * webhook; the guest leaving and rejoining; project deletion; meter reports
 * through a flaky Stripe stand-in. After every step the ledger must agree with
 * the model: nothing below its floor, no member past the quota, the charges
 * equal the settled holds, every hold closed once, every usage event on
 * Stripe exactly once. Used by server/billing/ledger.property.test.ts (fixed
 * seed, few runs) and bench/billing-ledger.ts (long mode).
 */
export const LEDGER_MODEL = "claude-sonnet-5-5";
export const WEBHOOK_SECRET = "whsec_test_ledger_model";
const signer = new Stripe("sk_test_ledger_signer");

type Who = "owner" | "guest";
type Outcome = "finish" | "stop" | "crash" | "switch_tier";
type Alphabet = "ascii" | "cjk" | "emoji" | "mixed";

type Hold = { reservationId: string; requestId: string; amount: bigint; who: Who; tier: "free" | "managed" };
export type LedgerModel = {
  open: Map<string, Hold>;
  crashed: Map<string, { hold: Hold; produced: { calledCloud: boolean; text: string } }>;
  settled: Map<string, { hold: Hold; charged: bigint; usageEventId: string }>;
  released: Set<string>;
  creditsBought: bigint;
  guestIsMember: boolean;
  deleted: boolean;
  tier: "free" | "managed";
  turns: number;
  sessions: number;
  clock: number;
};
export type LedgerReal = {
  db: Db;
  stripe: Stripe;
  fake: FakeStripe;
  owner: { id: string };
  guest: { id: string };
  project: { id: string; title: string };
  customer: string;
  quota: bigint;
  allowance: bigint;
  ceiling: bigint | null;
};

const PIECES: Record<Alphabet, string> = {
  ascii: "The quick brown fox jumps over the lazy dog. ",
  cjk: "竹林の小道を歩くと風が葉を揺らす。",
  emoji: "🌳🌱🍂🌸",
  mixed: "Arbor 木漏れ日 🌞 ",
};
const textOf = (alphabet: Alphabet, length: number) => Array.from(PIECES[alphabet].repeat(Math.ceil(length / PIECES[alphabet].length) + 1)).slice(0, length).join("");

const openHolds = (m: LedgerModel) => [...m.open.values(), ...[...m.crashed.values()].map((c) => c.hold)];

/** A step of a history: it acts, then the ledger must agree with the model. */
abstract class Step implements fc.AsyncCommand<LedgerModel, LedgerReal> {
  abstract check(m: Readonly<LedgerModel>): boolean;
  abstract act(m: LedgerModel, r: LedgerReal): Promise<void>;
  async run(m: LedgerModel, r: LedgerReal) {
    await this.act(m, r);
    await checkLedger(m, r);
  }
}

/** One cloud turn, reserved for its exact request and closed by the outcome. */
class TurnCommand extends Step {
  constructor(
    readonly who: Who,
    readonly system: { alphabet: Alphabet; length: number },
    readonly question: { alphabet: Alphabet; length: number },
    readonly maxTokens: number,
    readonly outcome: Outcome,
    readonly reported: "adversarial" | "counted",
    readonly partial: number,
  ) {
    super();
  }
  check(m: Readonly<LedgerModel>) {
    return !m.deleted && (this.who === "owner" || m.guestIsMember);
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const system = textOf(this.system.alphabet, this.system.length);
    const question = textOf(this.question.alphabet, this.question.length);
    const request = claudeRequest({ model: LEDGER_MODEL, system, messages: [{ role: "user", content: question }], maxTokens: this.maxTokens });
    const bound = claudeUsageBound(request);
    const actor = this.who === "owner" ? r.owner.id : r.guest.id;
    const requestId = `ledger-${r.project.id}-${m.turns++}`;
    let placed: Awaited<ReturnType<typeof reserveCloudBudget>>;
    try {
      placed = await reserveCloudBudget(r.db, { projectId: r.project.id, actorId: actor, requestId, model: LEDGER_MODEL, bound });
    } catch (error) {
      if (isAppError(error) && /^(payment_required|quota_exceeded):/.test(error.code)) return; // refused: nothing may change
      throw error;
    }
    const hold: Hold = { reservationId: placed.reservationId, requestId, amount: placed.amountMicros, who: this.who, tier: placed.billingTier === "managed" ? "managed" : "free" };
    const answer = textOf(this.question.alphabet, this.partial);
    if (this.outcome === "crash") {
      m.crashed.set(hold.reservationId, { hold, produced: { calledCloud: this.partial % 3 !== 0, text: answer } });
      return;
    }
    if (this.outcome === "switch_tier") {
      // the payer's plan changes while the answer is written (the webhook would do this): the hold's terms still apply
      const next = m.tier === "free" ? "managed" : "free";
      await r.db.update(billingAccounts).set({ tier: next }).where(eq(billingAccounts.userId, r.owner.id));
      m.tier = next;
    }
    // the upstream's own count (independent of Arbor's bound), or the most the real API could report
    const counted = { tokensIn: countTokens(system) + countTokens(question) + 8, tokensOut: Math.min(this.maxTokens, countTokens(answer)) };
    const usage =
      this.outcome === "stop"
        ? { tokensIn: bound.tokensIn, tokensOut: outputTokensOf(answer, this.maxTokens) }
        : this.reported === "adversarial"
          ? bound
          : counted;
    const settled = await settleReservation(r.db, { reservationId: hold.reservationId, messageId: null, usage });
    m.settled.set(hold.reservationId, { hold, charged: settled.chargedMicros, usageEventId: settled.usageEventId });
  }
  toString = () => `Turn(${this.who}, system ${this.system.alphabet}×${this.system.length}, q ${this.question.alphabet}×${this.question.length}, max ${this.maxTokens}, ${this.outcome}/${this.reported})`;
}

/** A client retries a settled request with the same requestId: the same hold, the same charge, nothing new. */
class RetryCommand extends Step {
  constructor(readonly pick: number) {
    super();
  }
  check(m: Readonly<LedgerModel>) {
    return m.settled.size > 0 && !m.deleted;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const done = [...m.settled.values()];
    const target = done[this.pick % done.length];
    if (!target) return;
    const actor = target.hold.who === "owner" ? r.owner.id : r.guest.id;
    const again = await reserveCloudBudget(r.db, { projectId: r.project.id, actorId: actor, requestId: target.hold.requestId, model: LEDGER_MODEL, bound: { tokensIn: 1, tokensOut: 1 } });
    if (again.reservationId !== target.hold.reservationId) throw new Error("a retry placed a second hold");
    const settled = await settleReservation(r.db, { reservationId: again.reservationId, messageId: null, usage: { tokensIn: 1, tokensOut: 1 } });
    if (settled.usageEventId !== target.usageEventId || settled.chargedMicros !== target.charged) throw new Error("a retry charged again");
  }
  toString = () => `Retry(${this.pick})`;
}

/** Crash recovery (the sweeper or the expiry worker) for every hold whose producer died. */
class RecoverCommand extends Step {
  check(m: Readonly<LedgerModel>) {
    return m.crashed.size > 0;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    for (const [id, { hold, produced }] of m.crashed) {
      const charged = await settleAbandonedHold(r.db, { reservationId: id, messageId: null, produced });
      m.crashed.delete(id);
      if (!produced.calledCloud) m.released.add(id);
      else {
        const [event] = await r.db.select().from(usageEvents).where(eq(usageEvents.requestId, hold.requestId));
        if (!event) throw new Error("recovery charged nothing for a call that ran");
        m.settled.set(id, { hold, charged, usageEventId: event.id });
      }
    }
  }
  toString = () => "Recover";
}

/** Credits bought: the checkout's signed events, each delivered `copies` times, two sessions interleaved when `shuffle`. */
class TopUpCommand extends Step {
  constructor(
    readonly cents: [number, number],
    readonly copies: number,
    readonly shuffle: boolean,
  ) {
    super();
  }
  check() {
    return true;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const deliveries: string[] = [];
    for (const cents of this.shuffle ? this.cents : this.cents.slice(0, 1)) {
      const sessionId = `cs_ledger_${r.project.id.slice(0, 8)}_${m.sessions++}`;
      const micros = BigInt(cents) * 10_000n;
      await r.db.insert(checkoutSessions).values({ id: sessionId, userId: r.owner.id, kind: "credits", amountMicros: micros });
      const event = {
        id: `evt_${sessionId}`,
        object: "event",
        api_version: "2026-10-28.endive",
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        type: "checkout.session.completed",
        data: { object: { id: sessionId, object: "checkout.session", mode: "payment", payment_status: "paid", customer: r.customer, amount_total: cents, metadata: { userId: r.owner.id, kind: "credits" } } },
      };
      for (let i = 0; i < this.copies; i++) deliveries.push(JSON.stringify(event));
      m.creditsBought += micros;
    }
    if (this.shuffle) deliveries.reverse();
    for (const payload of deliveries) {
      const result = await receiveStripeWebhook(r.db, payload, signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
      if (result.status !== 200) throw new Error(`the webhook answered ${result.status}`);
    }
  }
  toString = () => `TopUp(${this.cents.join("+")}¢ ×${this.copies}${this.shuffle ? ", shuffled" : ""})`;
}

class LeaveCommand extends Step {
  check(m: Readonly<LedgerModel>) {
    return m.guestIsMember && !m.deleted;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    await leaveProject(r.db, { projectId: r.project.id, userId: r.guest.id });
    m.guestIsMember = false;
  }
  toString = () => "GuestLeaves";
}

/** The owner invites the guest back with the same quota: their spend in the project is still counted. */
class RejoinCommand extends Step {
  check(m: Readonly<LedgerModel>) {
    return !m.guestIsMember && !m.deleted;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const invite = await createInvite(r.db, { projectId: r.project.id, hostId: r.owner.id, role: "editor", quotaMicros: r.quota, expiresInHours: 24 });
    await acceptInvite(r.db, { token: invite.token, userId: r.guest.id, ip: "127.0.0.1" });
    m.guestIsMember = true;
  }
  toString = () => "GuestRejoins";
}

/** Deleting the project is refused exactly while one of its holds is open. */
class DeleteProjectCommand extends Step {
  // late in a history, so that the steps before it have something to work on
  check(m: Readonly<LedgerModel>) {
    return !m.deleted && m.turns >= 3;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const busy = openHolds(m).length > 0;
    try {
      await deleteProject(r.db, { projectId: r.project.id, confirmTitle: r.project.title });
    } catch (error) {
      if (busy && isAppError(error) && error.code === "conflict:answer_in_progress") return;
      throw error;
    }
    if (busy) throw new Error("a project with open holds was deleted");
    m.deleted = true;
  }
  toString = () => "DeleteProject";
}

/** The meter worker on a flaky Stripe: `failures` requests fail, time moves past any backoff. */
class ReportMeterCommand extends Step {
  constructor(readonly failures: number) {
    super();
  }
  check() {
    return true;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    r.fake.failNext(this.failures, /meter_events/);
    m.clock += 7 * 3600_000;
    try {
      await reportUsageToStripe(r.db, r.stripe, { now: new Date(Date.now() + m.clock) });
    } finally {
      r.fake.recover();
    }
  }
  toString = () => `ReportMeter(${this.failures} failing)`;
}

const lengthOf = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 200, max: 3_000 }));
const alphabet = fc.constantFrom<Alphabet>("ascii", "cjk", "emoji", "mixed");

const turn = fc
  .record({
    who: fc.constantFrom<Who>("owner", "guest"),
    system: fc.record({ alphabet, length: lengthOf }),
    question: fc.record({ alphabet, length: fc.integer({ min: 1, max: 400 }) }),
    maxTokens: fc.integer({ min: 1, max: 800 }),
    outcome: fc.constantFrom<Outcome>("finish", "finish", "stop", "crash", "crash", "switch_tier"),
    reported: fc.constantFrom("adversarial" as const, "counted" as const),
    partial: fc.integer({ min: 0, max: 600 }),
  })
  .map((t) => new TurnCommand(t.who, t.system, t.question, t.maxTokens, t.outcome, t.reported, t.partial));
const meter = fc.integer({ min: 0, max: 3 }).map((n) => new ReportMeterCommand(n));

/** Turns most often (fc.oneof picks among these uniformly), the rest now and then. */
export const ledgerCommands = [
  turn,
  turn,
  turn,
  turn,
  turn,
  fc.nat().map((pick) => new RetryCommand(pick)),
  fc.constant(null).map(() => new RecoverCommand()),
  fc.tuple(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 })), fc.integer({ min: 1, max: 3 }), fc.boolean()).map(([cents, copies, shuffle]) => new TopUpCommand(cents, copies, shuffle)),
  fc.constant(null).map(() => new LeaveCommand()),
  fc.constant(null).map(() => new RejoinCommand()),
  fc.constant(null).map(() => new DeleteProjectCommand()),
  meter,
  meter,
];

/** A payer (Free, a small allowance, maybe a ceiling) with a guest on a small quota, fresh for each history. */
export const ledgerSetup = fc.record({
  quota: fc.bigInt({ min: 2_000n, max: 80_000n }),
  allowance: fc.bigInt({ min: 0n, max: 150_000n }),
  ceiling: fc.option(fc.bigInt({ min: 10_000n, max: 300_000n }), { nil: null }),
  tier: fc.constantFrom<"free" | "managed">("free", "managed"),
});

export async function newLedgerRun(db: Db, stripe: Stripe, fake: FakeStripe, { tier, ...terms }: { quota: bigint; allowance: bigint; ceiling: bigint | null; tier: "free" | "managed" }) {
  const { owner, project } = await makeProject(db);
  const guest = await makeUser(db);
  await db.insert(projectMembers).values({ projectId: project.id, userId: guest.id, role: "editor", quotaMicros: terms.quota });
  const customer = await stripe.customers.create({ email: `ledger-${owner.id}@example.com` });
  await ensureBillingAccount(db, owner.id);
  await db
    .update(billingAccounts)
    .set({ tier, freeAllowanceMicros: terms.allowance, ceilingMicros: terms.ceiling, stripeCustomerId: customer.id })
    .where(eq(billingAccounts.userId, owner.id));
  const model: LedgerModel = { open: new Map(), crashed: new Map(), settled: new Map(), released: new Set(), creditsBought: 0n, guestIsMember: true, deleted: false, tier, turns: 0, sessions: 0, clock: 0 };
  const real: LedgerReal = { db, stripe, fake, owner, guest, project, customer: customer.id, ...terms };
  return { model, real };
}

const fail = (what: string, detail: unknown) => {
  throw new Error(`ledger invariant broken: ${what} ${JSON.stringify(detail, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
};

/** Every invariant of the ledger against the model; `final` also flushes the meter and wants all of it on Stripe. */
export async function checkLedger(m: LedgerModel, r: LedgerReal, { final = false }: { final?: boolean } = {}) {
  const { db } = r;
  const [account] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, r.owner.id));
  if (!account) return fail("no account", {});
  const open = openHolds(m);
  const heldByModel = open.reduce((s, h) => s + h.amount, 0n);
  if (account.reservedMicros !== heldByModel) fail("payer reserved ≠ open holds", { reserved: account.reservedMicros, model: heldByModel });
  const rows = await db.select().from(reservations).where(eq(reservations.payerId, r.owner.id));
  const byStatus = (s: string) => new Set(rows.filter((x) => x.status === s).map((x) => x.id));
  const sameSet = (a: Set<string>, b: Iterable<string>) => {
    const bb = new Set(b);
    return a.size === bb.size && [...a].every((x) => bb.has(x));
  };
  if (m.deleted) {
    // the project's (closed) holds went with it; none may have been open
    if (rows.length > 0) fail("holds outlived their project", { rows: rows.length });
  } else {
    if (!sameSet(byStatus("open"), open.map((h) => h.reservationId))) fail("open holds differ", { db: [...byStatus("open")], model: open.length });
    if (!sameSet(byStatus("settled"), m.settled.keys())) fail("settled holds differ", { db: byStatus("settled").size, model: m.settled.size });
    if (!sameSet(byStatus("released"), m.released)) fail("released holds differ", { db: byStatus("released").size, model: m.released.size });
  }

  const events = await db.select().from(usageEvents).where(eq(usageEvents.payerId, r.owner.id));
  if (events.length !== m.settled.size) fail("usage events ≠ settled holds", { events: events.length, settled: m.settled.size });
  const chargedOf = (e: (typeof events)[number]) => e.costBasisMicros + e.markupMicros + e.feeMicros;
  const eventsCharged = events.reduce((s, e) => s + chargedOf(e), 0n);
  const modelCharged = [...m.settled.values()].reduce((s, x) => s + x.charged, 0n);
  if (eventsCharged !== modelCharged) fail("Σ usage ≠ Σ settled", { eventsCharged, modelCharged });
  for (const settled of m.settled.values()) {
    if (settled.charged > settled.hold.amount) fail("a charge past its hold", settled);
    const event = events.find((e) => e.id === settled.usageEventId);
    if (event?.billingTier !== settled.hold.tier) fail("settled at a tier the hold was not placed under", { event: event?.billingTier, hold: settled.hold.tier });
  }
  if (account.periodSpentMicros !== eventsCharged) fail("period spent ≠ Σ charges", { spent: account.periodSpentMicros, eventsCharged });

  // floors: credits never negative and exactly what was bought less what was applied; the free allowance and the ceiling never passed
  const applied = events.reduce((s, e) => s + e.creditsAppliedMicros, 0n);
  if (account.creditsMicros < 0n || account.creditsMicros !== m.creditsBought - applied) fail("credits", { credits: account.creditsMicros, bought: m.creditsBought, applied });
  const freeNet = events.filter((e) => e.billingTier === "free").reduce((s, e) => s + e.netChargeMicros, 0n);
  if (freeNet > r.allowance) fail("free allowance passed", { freeNet, allowance: r.allowance });
  if (r.ceiling !== null && account.periodSpentMicros + account.reservedMicros > r.ceiling) fail("ceiling passed", { spent: account.periodSpentMicros, reserved: account.reservedMicros, ceiling: r.ceiling });

  // the guest's quota, across leaving and rejoining
  const [spend] = await db.select().from(memberSpend).where(and(eq(memberSpend.projectId, r.project.id), eq(memberSpend.userId, r.guest.id)));
  if (!m.deleted && spend && spend.spentMicros + spend.reservedMicros > r.quota) fail("guest past quota", { spent: spend.spentMicros, reserved: spend.reservedMicros, quota: r.quota });
  const guestCharged = [...m.settled.values()].filter((x) => x.hold.who === "guest").reduce((s, x) => s + x.charged, 0n);
  if (!m.deleted && (spend?.spentMicros ?? 0n) !== guestCharged) fail("guest spend ≠ their charges", { spent: spend?.spentMicros, guestCharged });

  // every usage event reaches Stripe exactly once, with its net charge
  if (final) {
    for (let i = 0; i < 3; i++) await reportUsageToStripe(db, r.stripe, { now: new Date(Date.now() + m.clock + (i + 1) * 7 * 3600_000) });
  }
  const billable = events.filter((e) => e.billingTier === "managed" && e.netChargeMicros > 0n);
  const reported = await db.select({ id: usageEvents.id }).from(usageEvents).where(and(eq(usageEvents.payerId, r.owner.id), sql`${usageEvents.meterReportedAt} is not null`));
  const onStripe = [...r.fake.meterEvents.values()].filter((e) => (e.payload as Record<string, unknown>).stripe_customer_id === r.customer);
  if (onStripe.length !== reported.length) fail("meter events on Stripe ≠ reported", { onStripe: onStripe.length, reported: reported.length });
  for (const e of onStripe) {
    const event = billable.find((b) => b.id === e.identifier);
    if (!event || String((e.payload as Record<string, unknown>).value) !== event.netChargeMicros.toString()) fail("a meter event that is no billable usage", e);
  }
  if (final && reported.length !== billable.length) fail("usage never reached Stripe", { billable: billable.length, reported: reported.length });
}

/** The property: any history keeps the ledger right. */
export function ledgerProperty(db: Db, stripe: Stripe, fake: FakeStripe, { maxCommands }: { maxCommands: number }) {
  return fc.asyncProperty(ledgerSetup, fc.array(fc.oneof(...ledgerCommands), { minLength: Math.ceil(maxCommands / 2), maxLength: maxCommands, size: "max" }), async (terms, commands) => {
    const { model, real } = await newLedgerRun(db, stripe, fake, terms);
    await fc.asyncModelRun(() => ({ model, real }), commands);
    await new RecoverCommand().act(model, real);
    await checkLedger(model, real, { final: true });
  });
}
