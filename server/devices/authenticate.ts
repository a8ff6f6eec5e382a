import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { AppError } from "@/server/errors";
import { clientAddress } from "@/server/security/client-address";
import { hitRateLimit, isRateLimited, TOKEN_GUESS_RULE } from "@/server/security/rate-limit";
import { hashToken } from "@/server/security/secret-tokens";
import { bearerFrom, bearerKind } from "@/server/tokens/bearer-tokens";
import { recordDeviceRefusal } from "./refusals";

export type DeviceIdentity = { deviceId: string; userId: string; name: string };

const invalid = () =>
  new AppError("unauthorized:device_token", "This device token is not valid. Pair the device again: `npx tsx scripts/arbor-device.ts pair --url …`.");

/**
 * The device behind an `arbor_dev_…` bearer token. Unknown tokens count
 * against the caller's address like any guessable secret; a removed device's
 * token says so, so its agent stops instead of retrying forever.
 */
export async function authenticateDevice(db: Db, headers: Headers): Promise<DeviceIdentity> {
  const token = bearerFrom(headers);
  if (!token) throw new AppError("unauthorized:device_token", "Send the device token as `Authorization: Bearer arbor_dev_…`.");
  const ip = clientAddress(headers);
  const guessKey = `token-guess:${ip}`;
  if (bearerKind(token) !== "device") {
    await hitRateLimit(db, { key: guessKey, rule: TOKEN_GUESS_RULE });
    throw invalid();
  }
  if (await isRateLimited(db, { key: guessKey, rule: TOKEN_GUESS_RULE })) {
    throw new AppError("rate_limited:token", "Too many invalid tokens from your network. Wait ten minutes and try again.");
  }
  const [row] = await queryRows<{ id: string; user_id: string; name: string; revoked: boolean; user_status: string }>(
    db,
    sql`select d.id, d.user_id, d.name, d.revoked_at is not null as revoked, u.status as user_status
        from devices d join users u on u.id = d.user_id where d.token_hash = ${hashToken(token)}`,
  );
  if (!row) {
    await hitRateLimit(db, { key: guessKey, rule: TOKEN_GUESS_RULE });
    throw invalid();
  }
  if (row.revoked) {
    await recordDeviceRefusal(db, { deviceId: row.id, userId: row.user_id }, "revoked_token", { ip });
    throw new AppError("unauthorized:device_revoked", "This device was removed from its owner's account. Pair it again to use it.");
  }
  if (row.user_status !== "active") throw new AppError("unauthorized:account", "The account this device belongs to is not active.");
  return { deviceId: row.id, userId: row.user_id, name: row.name };
}
