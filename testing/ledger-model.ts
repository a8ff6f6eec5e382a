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
import { acceptHandover } from "@/server/handover/accept";
import { inheritedSpending } from "@/server/handover/inherited-spending";
import { startHandover } from "@/server/handover/start";
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
 * webhook; the guest leaving and rejoining; project deletion; the project
 * handed over to a second payer (the heir) while holds are open, keeping or
 * revoking the guest's quota and the open links; meter reports through a
 * flaky Stripe stand-in. After every step the ledger must agree with the
 * model, for each payer: nothing below its floor, no member past the quota,
 * the charges equal the settled holds, every hold closed once and on the
 * payer it was placed on, every usage event on Stripe exactly once. Used by server/billing/ledger.property.test.ts (fixed
 * seed, few runs) and bench/billing-ledger.ts (long mode).
 */
export const LEDGER_MODEL = "claude-sonnet-5-5";
export const WEBHOOK_SECRET = "whsec_test_ledger_model";
const signer = new Stripe("sk_test_ledger_signer");

type Who = "owner" | "guest" | "heir";
/** Who pays for the project: its first owner, or the heir it was handed over to. */
type Payer = "owner" | "heir";
const PAYERS: Payer[] = ["owner", "heir"];
type Outcome = "finish" | "stop" | "crash" | "switch_tier";
type Alphabet = "ascii" | "cjk" | "emoji" | "mixed";

type Hold = { reservationId: string; requestId: string; amount: bigint; who: Who; payer: Payer; tier: "free" | "managed" };
export type LedgerModel = {
  open: Map<string, Hold>;
  crashed: Map<string, { hold: Hold; produced: { calledCloud: boolean; text: string } }>;
  settled: Map<string, { hold: Hold; charged: bigint; usageEventId: string }>;
  /** holds released without a charge, and whose they were */
  released: Map<string, Payer>;
  /** per payer: their plan now and the credits they bought */
  payers: Record<Payer, { tier: "free" | "managed"; creditsBought: bigint }>;
  /** who pays for new holds: the owner, or the heir once the handover was accepted */
  payer: Payer;
  handedOver: boolean;
  guestIsMember: boolean;
  /** the guest's quota as the project's current owner left it (0 once the heir revoked it) */
  guestQuota: bigint;
  deleted: boolean;
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
  heir: { id: string; email: string };
  project: { id: string; title: string };
  customers: Record<Payer, string>;
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
    if (m.deleted) return false;
    if (this.who === "guest") return m.guestIsMember;
    if (this.who === "heir") return m.handedOver;
    return true;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    // after the handover the first owner is an editor with a $0 quota; a revoked quota is $0 too
    const mustRefuse = (this.who === "owner" && m.handedOver) || (this.who === "guest" && m.guestQuota === 0n);
    const system = textOf(this.system.alphabet, this.system.length);
    const question = textOf(this.question.alphabet, this.question.length);
    const request = claudeRequest({ model: LEDGER_MODEL, system, messages: [{ role: "user", content: question }], maxTokens: this.maxTokens });
    const bound = claudeUsageBound(request);
    const actor = r[this.who].id;
    const requestId = `ledger-${r.project.id}-${m.turns++}`;
    let placed: Awaited<ReturnType<typeof reserveCloudBudget>>;
    try {
      placed = await reserveCloudBudget(r.db, { projectId: r.project.id, actorId: actor, requestId, model: LEDGER_MODEL, bound });
    } catch (error) {
      if (isAppError(error) && /^(payment_required|quota_exceeded):/.test(error.code)) return; // refused: nothing may change
      throw error;
    }
    if (mustRefuse) throw new Error(`a hold was placed for ${this.who} on a $0 quota`);
    if (placed.payerId !== r[m.payer].id) throw new Error(`a hold was placed on the ${placed.payerId === r.owner.id ? "first owner" : "wrong payer"}, not the ${m.payer}`);
    const hold: Hold = { reservationId: placed.reservationId, requestId, amount: placed.amountMicros, who: this.who, payer: m.payer, tier: placed.billingTier === "managed" ? "managed" : "free" };
    const answer = textOf(this.question.alphabet, this.partial);
    if (this.outcome === "crash") {
      m.crashed.set(hold.reservationId, { hold, produced: { calledCloud: this.partial % 3 !== 0, text: answer } });
      return;
    }
    if (this.outcome === "switch_tier") {
      // the payer's plan changes while the answer is written (the webhook would do this): the hold's terms still apply
      const payer = m.payers[m.payer];
      const next = payer.tier === "free" ? "managed" : "free";
      await r.db.update(billingAccounts).set({ tier: next }).where(eq(billingAccounts.userId, r[m.payer].id));
      payer.tier = next;
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
    const actor = r[target.hold.who].id;
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
      if (!produced.calledCloud) m.released.set(id, hold.payer);
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
    const buyer = r[m.payer];
    for (const cents of this.shuffle ? this.cents : this.cents.slice(0, 1)) {
      const sessionId = `cs_ledger_${r.project.id.slice(0, 8)}_${m.sessions++}`;
      const micros = BigInt(cents) * 10_000n;
      await r.db.insert(checkoutSessions).values({ id: sessionId, userId: buyer.id, kind: "credits", amountMicros: micros });
      const event = {
        id: `evt_${sessionId}`,
        object: "event",
        api_version: "2026-10-28.endive",
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        type: "checkout.session.completed",
        data: { object: { id: sessionId, object: "checkout.session", mode: "payment", payment_status: "paid", customer: r.customers[m.payer], amount_total: cents, metadata: { userId: buyer.id, kind: "credits" } } },
      };
      for (let i = 0; i < this.copies; i++) deliveries.push(JSON.stringify(event));
      m.payers[m.payer].creditsBought += micros;
    }
    if (this.shuffle) deliveries.reverse();
    for (const payload of deliveries) {
      const result = await receiveStripeWebhook(r.db, payload, signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
      if (result.status !== 200) throw new Error(`the webhook answered ${result.status}`);
    }
  }
  toString = () => `TopUp(${this.cents.join("+")}¢ ×${this.copies}${this.shuffle ? ", shuffled" : ""})`;
}

/**
 * The owner hands the project to the heir, who accepts at once, deciding to
 * keep or revoke the guest's quota and every open link. Holds already open
 * stay on the first owner; everything after is the heir's.
 */
class HandoverCommand extends Step {
  constructor(
    readonly keepQuota: boolean,
    readonly keepLinks: boolean,
  ) {
    super();
  }
  check(m: Readonly<LedgerModel>) {
    return !m.deleted && !m.handedOver;
  }
  async act(m: LedgerModel, r: LedgerReal) {
    const { token } = await startHandover(r.db, {
      projectId: r.project.id,
      fromUserId: r.owner.id,
      toEmail: r.heir.email,
      includeKnowledge: true,
      includeAdapters: true,
      previousOwnerLeaves: false,
      message: "",
    });
    const asked = await inheritedSpending(r.db, { projectId: r.project.id, previousOwnerId: r.owner.id });
    const decisions = {
      invites: asked.openInvites.map((i) => ({ inviteId: i.id, keep: this.keepLinks })),
      quotas: asked.memberQuotas.map((q) => ({ userId: q.userId, keep: this.keepQuota })),
    };
    await acceptHandover(r.db, { token, userId: r.heir.id, ip: `10.77.${m.turns % 250}.${m.sessions % 250}`, decisions });
    m.handedOver = true;
    m.payer = "heir";
    if (asked.memberQuotas.some((q) => q.userId === r.guest.id) && !this.keepQuota) m.guestQuota = 0n;
  }
  toString = () => `Handover(quota ${this.keepQuota ? "kept" : "revoked"}, links ${this.keepLinks ? "kept" : "revoked"})`;
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
    const invite = await createInvite(r.db, { projectId: r.project.id, hostId: r[m.payer].id, role: "editor", quotaMicros: r.quota, expiresInHours: 24 });
    await acceptInvite(r.db, { token: invite.token, userId: r.guest.id, ip: "127.0.0.1" });
    m.guestIsMember = true;
    m.guestQuota = r.quota;
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
  fc.tuple(fc.boolean(), fc.boolean()).map(([keepQuota, keepLinks]) => new HandoverCommand(keepQuota, keepLinks)),
  meter,
  meter,
];

type LedgerTerms = { quota: bigint; allowance: bigint; ceiling: bigint | null; tier: "free" | "managed" };

/** A payer (Free, a small allowance, maybe a ceiling) with a guest on a small quota, and an heir on the same terms, fresh for each history. */
export const ledgerSetup: fc.Arbitrary<LedgerTerms> = fc.record({
  quota: fc.bigInt({ min: 2_000n, max: 80_000n }),
  allowance: fc.bigInt({ min: 0n, max: 150_000n }),
  ceiling: fc.option(fc.bigInt({ min: 10_000n, max: 300_000n }), { nil: null }),
  tier: fc.constantFrom<"free" | "managed">("free", "managed"),
});

export async function newLedgerRun(db: Db, stripe: Stripe, fake: FakeStripe, { tier, ...terms }: LedgerTerms) {
  const { owner, project } = await makeProject(db);
  const guest = await makeUser(db);
  const heir = await makeUser(db);
  await db.insert(projectMembers).values({ projectId: project.id, userId: guest.id, role: "editor", quotaMicros: terms.quota });
  const customers = {} as Record<Payer, string>;
  for (const [payer, user] of [["owner", owner], ["heir", heir]] as const) {
    customers[payer] = (await stripe.customers.create({ email: `ledger-${user.id}@example.com` })).id;
    await ensureBillingAccount(db, user.id);
    await db
      .update(billingAccounts)
      .set({ tier, freeAllowanceMicros: terms.allowance, ceilingMicros: terms.ceiling, stripeCustomerId: customers[payer] })
      .where(eq(billingAccounts.userId, user.id));
  }
  const model: LedgerModel = {
    open: new Map(),
    crashed: new Map(),
    settled: new Map(),
    released: new Map(),
    payers: { owner: { tier, creditsBought: 0n }, heir: { tier, creditsBought: 0n } },
    payer: "owner",
    handedOver: false,
    guestIsMember: true,
    guestQuota: terms.quota,
    deleted: false,
    turns: 0,
    sessions: 0,
    clock: 0,
  };
  const real: LedgerReal = { db, stripe, fake, owner, guest, heir, project, customers, ...terms };
  return { model, real };
}

const fail = (what: string, detail: unknown) => {
  throw new Error(`ledger invariant broken: ${what} ${JSON.stringify(detail, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
};

/** Every invariant of the ledger against the model, for each payer; `final` also flushes the meter and wants all of it on Stripe. */
export async function checkLedger(m: LedgerModel, r: LedgerReal, { final = false }: { final?: boolean } = {}) {
  const { db } = r;
  if (final) {
    for (let i = 0; i < 3; i++) await reportUsageToStripe(db, r.stripe, { now: new Date(Date.now() + m.clock + (i + 1) * 7 * 3600_000) });
  }
  for (const payer of PAYERS) await checkPayer(m, r, payer, { final });

  // the guest's quota, across leaving, rejoining and the handover
  const [spend] = await db.select().from(memberSpend).where(and(eq(memberSpend.projectId, r.project.id), eq(memberSpend.userId, r.guest.id)));
  if (!m.deleted && spend && m.guestQuota > 0n && spend.spentMicros + spend.reservedMicros > m.guestQuota) {
    fail("guest past quota", { spent: spend.spentMicros, reserved: spend.reservedMicros, quota: m.guestQuota });
  }
  const guestCharged = [...m.settled.values()].filter((x) => x.hold.who === "guest").reduce((s, x) => s + x.charged, 0n);
  if (!m.deleted && (spend?.spentMicros ?? 0n) !== guestCharged) fail("guest spend ≠ their charges", { spent: spend?.spentMicros, guestCharged });
}

async function checkPayer(m: LedgerModel, r: LedgerReal, payer: Payer, { final }: { final: boolean }) {
  const { db } = r;
  const payerId = r[payer].id;
  const mine = <T extends { hold: Hold }>(xs: Iterable<T>) => [...xs].filter((x) => x.hold.payer === payer);
  const [account] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, payerId));
  if (!account) return fail(`no account for the ${payer}`, {});
  const open = openHolds(m).filter((h) => h.payer === payer);
  const settled = mine(m.settled.values());
  const heldByModel = open.reduce((s, h) => s + h.amount, 0n);
  if (account.reservedMicros !== heldByModel) fail(`${payer}: reserved ≠ open holds`, { reserved: account.reservedMicros, model: heldByModel });
  const rows = await db.select().from(reservations).where(eq(reservations.payerId, payerId));
  const byStatus = (s: string) => new Set(rows.filter((x) => x.status === s).map((x) => x.id));
  const sameSet = (a: Set<string>, b: Iterable<string>) => {
    const bb = new Set(b);
    return a.size === bb.size && [...a].every((x) => bb.has(x));
  };
  if (m.deleted) {
    // the project's (closed) holds went with it; none may have been open
    if (rows.length > 0) fail(`${payer}: holds outlived their project`, { rows: rows.length });
  } else {
    if (!sameSet(byStatus("open"), open.map((h) => h.reservationId))) fail(`${payer}: open holds differ`, { db: [...byStatus("open")], model: open.length });
    if (!sameSet(byStatus("settled"), settled.map((x) => x.hold.reservationId))) fail(`${payer}: settled holds differ`, { db: byStatus("settled").size, model: settled.length });
    const released = [...m.released].filter(([, whose]) => whose === payer).map(([id]) => id);
    if (!sameSet(byStatus("released"), released)) fail(`${payer}: released holds differ`, { db: byStatus("released").size, model: released.length });
  }

  const events = await db.select().from(usageEvents).where(eq(usageEvents.payerId, payerId));
  if (events.length !== settled.length) fail(`${payer}: usage events ≠ settled holds`, { events: events.length, settled: settled.length });
  const chargedOf = (e: (typeof events)[number]) => e.costBasisMicros + e.markupMicros + e.feeMicros;
  const eventsCharged = events.reduce((s, e) => s + chargedOf(e), 0n);
  const modelCharged = settled.reduce((s, x) => s + x.charged, 0n);
  if (eventsCharged !== modelCharged) fail(`${payer}: Σ usage ≠ Σ settled`, { eventsCharged, modelCharged });
  for (const one of settled) {
    if (one.charged > one.hold.amount) fail("a charge past its hold", one);
    const event = events.find((e) => e.id === one.usageEventId);
    if (!event) fail(`${payer}: a hold settled on another payer than it was placed on`, one);
    if (event?.billingTier !== one.hold.tier) fail("settled at a tier the hold was not placed under", { event: event?.billingTier, hold: one.hold.tier });
  }
  if (account.periodSpentMicros !== eventsCharged) fail(`${payer}: period spent ≠ Σ charges`, { spent: account.periodSpentMicros, eventsCharged });

  // floors: credits never negative and exactly what was bought less what was applied; the free allowance and the ceiling never passed
  const applied = events.reduce((s, e) => s + e.creditsAppliedMicros, 0n);
  const bought = m.payers[payer].creditsBought;
  if (account.creditsMicros < 0n || account.creditsMicros !== bought - applied) fail(`${payer}: credits`, { credits: account.creditsMicros, bought, applied });
  const freeNet = events.filter((e) => e.billingTier === "free").reduce((s, e) => s + e.netChargeMicros, 0n);
  if (freeNet > r.allowance) fail(`${payer}: free allowance passed`, { freeNet, allowance: r.allowance });
  if (r.ceiling !== null && account.periodSpentMicros + account.reservedMicros > r.ceiling) fail(`${payer}: ceiling passed`, { spent: account.periodSpentMicros, reserved: account.reservedMicros, ceiling: r.ceiling });

  // every usage event reaches Stripe exactly once, with its net charge, on its payer's customer
  const billable = events.filter((e) => e.billingTier === "managed" && e.netChargeMicros > 0n);
  const reported = await db.select({ id: usageEvents.id }).from(usageEvents).where(and(eq(usageEvents.payerId, payerId), sql`${usageEvents.meterReportedAt} is not null`));
  const onStripe = [...r.fake.meterEvents.values()].filter((e) => (e.payload as Record<string, unknown>).stripe_customer_id === r.customers[payer]);
  if (onStripe.length !== reported.length) fail(`${payer}: meter events on Stripe ≠ reported`, { onStripe: onStripe.length, reported: reported.length });
  for (const e of onStripe) {
    const event = billable.find((b) => b.id === e.identifier);
    if (!event || String((e.payload as Record<string, unknown>).value) !== event.netChargeMicros.toString()) fail("a meter event that is no billable usage", e);
  }
  if (final && reported.length !== billable.length) fail(`${payer}: usage never reached Stripe`, { billable: billable.length, reported: reported.length });
}

/**
 * A history that always runs besides the random ones: the project is handed
 * over while the guest's and the owner's answers are still open (one crashes
 * and is recovered only after the handover), the heir revokes the guest's
 * quota, then everyone tries again and the heir tops up and answers.
 */
export function handoverHistory(): [LedgerTerms, Step[]] {
  const ascii = (length: number) => ({ alphabet: "ascii" as const, length });
  const turn = (who: Who, outcome: Outcome) => new TurnCommand(who, ascii(300), ascii(120), 200, outcome, "adversarial", 150);
  return [
    { quota: 60_000n, allowance: 100_000n, ceiling: null, tier: "managed" },
    [
      turn("guest", "finish"),
      turn("guest", "crash"),
      turn("owner", "crash"),
      new HandoverCommand(false, false),
      turn("guest", "finish"),
      turn("owner", "finish"),
      new TopUpCommand([120, 40], 2, true),
      turn("heir", "finish"),
      turn("heir", "crash"),
      new RecoverCommand(),
      new ReportMeterCommand(1),
    ],
  ];
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
