import "server-only";
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { projects, usageEvents, users } from "@/db/schema";
import { dayIn, nextDay, safeZone, startOfDayIn } from "@/lib/datetime";
import { microsToDecimal } from "@/lib/money";

/** `zone`: the person's time zone, whose calendar days the chart's points are (UTC when not given). */
export type UsageScope = { payerId: string; projectId?: string; from: Date; to: Date; zone?: string };
export type DayPoint = { day: string; chargedMicros: bigint; costBasisMicros: bigint; requests: number; tokensIn: number; tokensOut: number };
export type Breakdown = { key: string; label: string; chargedMicros: bigint; requests: number; tokens: number };

/** `to` is exclusive; days are calendar days in `zone` (the person's), from its midnight to the next. */
export function dayRange(fromDay: string, toDay: string, zone = "UTC"): { from: Date; to: Date; zone: string } {
  const z = safeZone(zone);
  return { from: startOfDayIn(fromDay, z), to: startOfDayIn(nextDay(toDay), z), zone: z };
}

function scope(s: UsageScope): SQL | undefined {
  return and(
    eq(usageEvents.payerId, s.payerId),
    s.projectId ? eq(usageEvents.projectId, s.projectId) : undefined,
    gte(usageEvents.createdAt, s.from),
    lt(usageEvents.createdAt, s.to),
  );
}

const charged = sql<bigint>`coalesce(sum(${usageEvents.costBasisMicros} + ${usageEvents.markupMicros} + ${usageEvents.feeMicros}), 0)::bigint`.mapWith(BigInt);
const requests = sql<number>`count(*)::int`.mapWith(Number);
const tokens = sql<number>`coalesce(sum(${usageEvents.tokensIn} + ${usageEvents.tokensOut}), 0)::bigint`.mapWith(Number);

/** One point per day of the range, zero-filled, so the chart's axis has no gaps. */
export async function dailyUsage(db: Db, s: UsageScope): Promise<DayPoint[]> {
  const zone = safeZone(s.zone);
  const day = sql<string>`to_char(${usageEvents.createdAt} at time zone ${zone}, 'YYYY-MM-DD')`;
  const rows = await db
    .select({
      day,
      chargedMicros: charged,
      costBasisMicros: sql<bigint>`coalesce(sum(${usageEvents.costBasisMicros}), 0)::bigint`.mapWith(BigInt),
      requests,
      tokensIn: sql<number>`coalesce(sum(${usageEvents.tokensIn}), 0)::bigint`.mapWith(Number),
      tokensOut: sql<number>`coalesce(sum(${usageEvents.tokensOut}), 0)::bigint`.mapWith(Number),
    })
    .from(usageEvents)
    .where(scope(s))
    // by position: the zone is a bound parameter, and Postgres does not see two parameters as one expression
    .groupBy(sql`1`);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const points: DayPoint[] = [];
  for (let key = dayIn(s.from, zone); startOfDayIn(key, zone) < s.to; key = nextDay(key)) {
    points.push(byDay.get(key) ?? { day: key, chargedMicros: 0n, costBasisMicros: 0n, requests: 0, tokensIn: 0, tokensOut: 0 });
  }
  return points;
}

export async function usageByModel(db: Db, s: UsageScope): Promise<Breakdown[]> {
  const rows = await db
    .select({ key: usageEvents.model, chargedMicros: charged, requests, tokens })
    .from(usageEvents)
    .where(scope(s))
    .groupBy(usageEvents.model)
    .orderBy(desc(charged));
  return rows.map((r) => ({ ...r, label: r.key }));
}

export async function usageByProject(db: Db, s: UsageScope): Promise<Breakdown[]> {
  const rows = await db
    .select({ key: sql<string>`coalesce(${usageEvents.projectId}::text, '')`, label: sql<string>`coalesce(${projects.title}, 'Deleted project')`, chargedMicros: charged, requests, tokens })
    .from(usageEvents)
    .leftJoin(projects, eq(projects.id, usageEvents.projectId))
    .where(scope(s))
    .groupBy(usageEvents.projectId, projects.title)
    .orderBy(desc(charged));
  return rows;
}

export async function usageByMember(db: Db, s: UsageScope): Promise<Breakdown[]> {
  const rows = await db
    .select({
      key: sql<string>`coalesce(${usageEvents.actorId}::text, '')`,
      label: sql<string>`coalesce(${users.name}, ${users.email}, 'Former member')`,
      chargedMicros: charged,
      requests,
      tokens,
    })
    .from(usageEvents)
    .leftJoin(users, eq(users.id, usageEvents.actorId))
    .where(scope(s))
    .groupBy(usageEvents.actorId, users.name, users.email)
    .orderBy(desc(charged));
  return rows;
}

const CSV_COLUMNS = [
  "created_at",
  "request_id",
  "project",
  "member",
  "tier",
  "billing_tier",
  "model",
  "tokens_in",
  "tokens_out",
  "cost_basis_usd",
  "markup_usd",
  "fee_usd",
  "credits_applied_usd",
  "net_charge_usd",
] as const;

function csvCell(value: string): string {
  // a leading = + - @ would run as a formula in a spreadsheet
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function usageCsv(db: Db, s: UsageScope): Promise<string> {
  const rows = await db
    .select({ event: usageEvents, project: projects.title, member: users.email })
    .from(usageEvents)
    .leftJoin(projects, eq(projects.id, usageEvents.projectId))
    .leftJoin(users, eq(users.id, usageEvents.actorId))
    .where(scope(s))
    .orderBy(usageEvents.createdAt)
    .limit(100_000);
  const lines = [CSV_COLUMNS.join(",")];
  for (const { event: e, project, member } of rows) {
    lines.push(
      [
        e.createdAt.toISOString(),
        e.requestId,
        project ?? "",
        member ?? "",
        e.tier,
        e.billingTier ?? "",
        e.model,
        String(e.tokensIn),
        String(e.tokensOut),
        microsToDecimal(e.costBasisMicros),
        microsToDecimal(e.markupMicros),
        microsToDecimal(e.feeMicros),
        microsToDecimal(e.creditsAppliedMicros),
        microsToDecimal(e.netChargeMicros),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
