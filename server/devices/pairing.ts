import "server-only";
import { randomInt } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { deviceProjects, devicePairings, devices, projectMembers, securityEvents } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";
import { hitRateLimit, isRateLimited, type RateLimitRule } from "@/server/security/rate-limit";
import { hashToken, newToken } from "@/server/security/secret-tokens";
import { newBearerToken } from "@/server/tokens/bearer-tokens";

/*
 * Pairing is RFC 8628, the OAuth device authorisation grant
 * (docs/devices.md#pairing). The agent asks for a code pair; the person
 * types the short user code at /devices/pair while signed in; the agent polls
 * with the long device code and, once approved, receives its device token —
 * once. Both codes expire after ten minutes; a user code is single use.
 */

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
export const PAIRING_LIFETIME_SECONDS = 600;
export const POLL_INTERVAL_SECONDS = 5;
/** RFC 8628 section 3.5: each slow_down adds five seconds to the interval the agent must keep. */
const SLOW_DOWN_STEP = 5;

/** RFC 8628 section 6.1: 20 consonants, no vowels (no words), no look-alikes; 8 of them ≈ 34.5 bits. */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

/** Code requests per address: an agent needs one per pairing attempt. */
export const CODE_REQUEST_RULE: RateLimitRule = { limit: 20, windowMs: 10 * 60_000 };
/** Wrong user codes per person and per address: with 20⁸ codes and ten minutes, guessing is hopeless. */
export const USER_CODE_GUESS_RULE: RateLimitRule = { limit: 10, windowMs: 10 * 60_000 };
/** Device codes that name no pairing, per address (polling a real one is governed by the interval). */
export const DEVICE_CODE_GUESS_RULE: RateLimitRule = { limit: 30, windowMs: 10 * 60_000 };

export const MAX_DEVICES_PER_PERSON = 25;

/** An OAuth error response (RFC 6749 section 5.2, RFC 8628 section 3.5): `{error, error_description}`, 400 unless told. */
export class OAuthError extends Error {
  constructor(
    readonly error: "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "invalid_grant" | "invalid_request" | "unsupported_grant_type" | "invalid_client",
    readonly description: string,
    readonly status = 400,
    readonly interval?: number,
  ) {
    super(description);
  }
  toResponse(): Response {
    const body: Record<string, unknown> = { error: this.error, error_description: this.description };
    if (this.interval) body.interval = this.interval;
    return Response.json(body, { status: this.status, headers: { "cache-control": "no-store" } });
  }
}

export function newUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** What a person types, in any case, with or without the dash or spaces → the stored form, or null if it cannot be a code. */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return code;
}

export const displayUserCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

export type CodeResponse = {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
};

/** RFC 8628 section 3.1–3.2: a new code pair. `clientName` is the agent's suggestion for the device's name (the person decides). */
export async function requestPairingCode(
  db: Db,
  { appUrl, ip, clientName, modelServer }: { appUrl: string; ip: string; clientName?: string | null; modelServer?: string | null },
): Promise<CodeResponse> {
  const rule = { ...CODE_REQUEST_RULE, limit: CODE_REQUEST_RULE.limit * getEnv().RATE_LIMIT_ADDRESS_FACTOR };
  const { limited } = await hitRateLimit(db, { key: `device-code:${ip}`, rule });
  if (limited) throw new OAuthError("invalid_request", "Too many pairing codes requested from this address. Wait ten minutes and try again.", 429);
  // expired pairings free their user codes (the unique index covers live ones only by this sweep)
  await db.execute(sql`delete from device_pairings where expires_at < now() - interval '1 hour'`);
  const deviceCode = newToken();
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    const inserted = await queryRows<{ id: string }>(
      db,
      sql`insert into device_pairings (device_code_hash, user_code, client_name, model_server, interval_seconds, expires_at, request_ip)
          values (${hashToken(deviceCode)}, ${userCode}, ${clientName?.slice(0, 80) ?? null}, ${modelServer?.slice(0, 300) ?? null}, ${POLL_INTERVAL_SECONDS},
                  now() + make_interval(secs => ${PAIRING_LIFETIME_SECONDS}), ${ip})
          on conflict (user_code) do nothing returning id`,
    );
    if (inserted.length > 0) {
      const verification = new URL("/devices/pair", appUrl).toString();
      return {
        device_code: deviceCode,
        user_code: displayUserCode(userCode),
        verification_uri: verification,
        verification_uri_complete: `${verification}?code=${displayUserCode(userCode)}`,
        expires_in: PAIRING_LIFETIME_SECONDS,
        interval: POLL_INTERVAL_SECONDS,
      };
    }
    if (attempt > 5) throw new Error("could not find a free user code");
  }
}

type PollRow = { id: string; state: string; expired: boolean; too_fast: boolean; interval_seconds: number; device_id: string | null };

/**
 * RFC 8628 section 3.4–3.5: the agent's poll. Answers authorization_pending,
 * slow_down (polled sooner than the interval: the interval grows by five
 * seconds), expired_token, access_denied, or — exactly once — the device token.
 */
export async function pollPairingToken(db: Db, { deviceCode, ip }: { deviceCode: string; ip: string }) {
  const guessKey = `device-code-guess:${ip}`;
  if (await isRateLimited(db, { key: guessKey, rule: DEVICE_CODE_GUESS_RULE })) {
    throw new OAuthError("invalid_request", "Too many unknown device codes from this address. Wait ten minutes.", 429);
  }
  // One statement reads the pairing and stamps this poll, so two instances polled at once agree on "too fast".
  const [row] = await queryRows<PollRow>(
    db,
    sql`with p as (
          select id, state, expires_at <= now() as expired, device_id, interval_seconds,
                 (last_polled_at is not null and last_polled_at > now() - make_interval(secs => interval_seconds) + interval '200 milliseconds') as too_fast
          from device_pairings where device_code_hash = ${hashToken(deviceCode)} for update
        ), stamped as (
          update device_pairings d set last_polled_at = now(),
            interval_seconds = case when p.too_fast and p.state = 'pending' then d.interval_seconds + ${SLOW_DOWN_STEP} else d.interval_seconds end
          from p where d.id = p.id returning d.interval_seconds
        )
        select p.id, p.state, p.expired, p.device_id, p.too_fast, (select interval_seconds from stamped) as interval_seconds from p`,
  );
  if (!row) {
    await hitRateLimit(db, { key: guessKey, rule: DEVICE_CODE_GUESS_RULE });
    throw new OAuthError("invalid_grant", "This device code is not known. Ask for a new pairing code.");
  }
  if (row.state === "consumed") throw new OAuthError("invalid_grant", "This pairing was already completed; its code cannot be used again.");
  if (row.state === "denied") throw new OAuthError("access_denied", "The pairing was declined.");
  if (row.expired) throw new OAuthError("expired_token", "The pairing code expired. Ask for a new one.");
  if (row.state === "pending") {
    if (row.too_fast) throw new OAuthError("slow_down", `Polling too often; wait ${row.interval_seconds} seconds between polls.`, 400, row.interval_seconds);
    throw new OAuthError("authorization_pending", "Waiting for the person to enter the code.");
  }
  // approved: hand out the token once, in the same transaction that consumes the pairing
  const issued = newBearerToken("device");
  const device = await db.transaction(async (tx) => {
    const consumed = await queryRows<{ device_id: string }>(
      tx,
      sql`update device_pairings set state = 'consumed' where id = ${row.id} and state = 'approved' returning device_id`,
    );
    const deviceId = consumed[0]?.device_id;
    if (!deviceId) return null;
    const [updated] = await tx
      .update(devices)
      .set({ tokenHash: issued.hash, tokenPrefix: issued.prefix })
      .where(and(eq(devices.id, deviceId), sql`${devices.revokedAt} is null`))
      .returning({ id: devices.id, name: devices.name });
    return updated ?? null;
  });
  if (!device) throw new OAuthError("invalid_grant", "This pairing was already completed; its code cannot be used again.");
  return { access_token: issued.token, token_type: "Bearer" as const, device_id: device.id, device_name: device.name };
}

/** For the pair page: what the code belongs to, before the person confirms. Wrong guesses count. */
export async function lookUpPairing(db: Db, { userId, ip, userCode }: { userId: string; ip: string; userCode: string }) {
  const pairing = await livePairing(db, { userId, ip, userCode });
  return { userCode: displayUserCode(pairing.userCode), suggestedName: pairing.clientName, modelServer: pairing.modelServer, expiresAt: pairing.expiresAt };
}

async function livePairing(db: Db, { userId, ip, userCode }: { userId: string; ip: string; userCode: string }) {
  const keys = [`pair-guess-user:${userId}`, `pair-guess-ip:${ip}`];
  for (const key of keys) {
    if (await isRateLimited(db, { key, rule: USER_CODE_GUESS_RULE })) {
      throw new AppError("rate_limited:pairing_code", "Too many wrong codes. Wait ten minutes, then ask the device for a new code.");
    }
  }
  const code = normalizeUserCode(userCode);
  const [pairing] = code
    ? await db
        .select()
        .from(devicePairings)
        .where(and(eq(devicePairings.userCode, code), eq(devicePairings.state, "pending"), sql`${devicePairings.expiresAt} > now()`))
    : [];
  if (!pairing) {
    for (const key of keys) await hitRateLimit(db, { key, rule: USER_CODE_GUESS_RULE });
    throw new AppError("not_found:pairing_code", "No device is waiting with this code. Check the code the device shows; codes expire after ten minutes and work once.");
  }
  return pairing;
}

/**
 * The signed-in person confirms a code: the device is created, theirs, for
 * the projects they chose — each one they may chat in (editor or owner),
 * since the device will answer there. The agent's next poll gets the token.
 */
export async function approvePairing(
  db: Db,
  { userId, ip, userCode, name, projectIds }: { userId: string; ip: string; userCode: string; name: string; projectIds: string[] },
) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 80) throw new AppError("bad_request:device_name", "Give the device a name of 1 to 80 characters.");
  const pairing = await livePairing(db, { userId, ip, userCode });
  const wanted = [...new Set(projectIds)];
  if (wanted.length > 0) {
    const allowed = await db
      .select({ projectId: projectMembers.projectId })
      .from(projectMembers)
      .where(and(eq(projectMembers.userId, userId), inArray(projectMembers.projectId, wanted), inArray(projectMembers.role, ["owner", "editor"])));
    if (allowed.length !== wanted.length) {
      throw new AppError("not_found:project", "One of the chosen projects is not one you can chat in.");
    }
  }
  return db.transaction(async (tx) => {
    const count = await tx.$count(devices, and(eq(devices.userId, userId), sql`${devices.revokedAt} is null`));
    if (count >= MAX_DEVICES_PER_PERSON) throw new AppError("conflict:devices", `You have ${count} devices. Remove one you no longer use first.`);
    const [device] = await tx.insert(devices).values({ userId, name: trimmed, modelServer: pairing.modelServer }).returning({ id: devices.id, name: devices.name });
    if (!device) throw new Error("device insert returned nothing");
    // single use: only a still-pending pairing can be approved, so two tabs confirming the same code create one device
    const claimed = await tx
      .update(devicePairings)
      .set({ state: "approved", approvedBy: userId, deviceId: device.id })
      .where(and(eq(devicePairings.id, pairing.id), eq(devicePairings.state, "pending")))
      .returning({ id: devicePairings.id });
    if (claimed.length === 0) throw new AppError("conflict:pairing_code", "This code was just used. Ask the device for a new one.");
    if (wanted.length > 0) await tx.insert(deviceProjects).values(wanted.map((projectId) => ({ deviceId: device.id, projectId })));
    await tx.insert(securityEvents).values({ userId, kind: "device_paired", detail: { deviceId: device.id, name: device.name, ip } });
    return { deviceId: device.id, name: device.name };
  });
}

/** The person says no: the agent's next poll gets access_denied. */
export async function denyPairing(db: Db, { userId, ip, userCode }: { userId: string; ip: string; userCode: string }) {
  const pairing = await livePairing(db, { userId, ip, userCode });
  await db.update(devicePairings).set({ state: "denied", approvedBy: userId }).where(and(eq(devicePairings.id, pairing.id), eq(devicePairings.state, "pending")));
  return { denied: true };
}
