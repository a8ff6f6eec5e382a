import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { deviceProjects, devicePairings, devices, projectMembers, securityEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject, makeUser } from "@/testing/fixtures";
import { hashToken } from "@/server/security/secret-tokens";
import { authenticateDevice } from "./authenticate";
import { listDevices, removeDevice } from "./devices";
import { readOAuthBody } from "./http";
import { approvePairing, denyPairing, lookUpPairing, normalizeUserCode, OAuthError, pollPairingToken, requestPairingCode, USER_CODE_GUESS_RULE } from "./pairing";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

let ipCounter = 0;
const freshIp = () => `10.30.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}`;
const APP = "http://arbor.test";

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (error instanceof OAuthError) return `${error.status} ${error.error}`;
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The agent waited its interval before polling again (instead of sleeping five seconds in a test). */
async function waitedInterval(deviceCode: string) {
  await database.db.execute(sql`update device_pairings set last_polled_at = now() - interval '1 minute' where device_code_hash = ${hashToken(deviceCode)}`);
}

describe("pairing a device (RFC 8628)", () => {
  it("hands out a device code and a short user code with the verification URL, storing only the device code's hash", async () => {
    const codes = await requestPairingCode(database.db, { appUrl: APP, ip: freshIp(), clientName: "gpu-box", modelServer: "http://127.0.0.1:11434/v1" });
    expect(codes.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.verification_uri).toBe(`${APP}/devices/pair`);
    expect(codes.verification_uri_complete).toBe(`${APP}/devices/pair?code=${codes.user_code}`);
    expect(codes).toMatchObject({ expires_in: 600, interval: 5 });
    expect(codes.device_code.length).toBeGreaterThanOrEqual(43);
    const rows = await database.db.select().from(devicePairings);
    expect(JSON.stringify(rows)).not.toContain(codes.device_code);
  });

  it("polls authorization_pending, then slow_down when too eager (interval +5 s), then issues a device token exactly once", async () => {
    const ip = freshIp();
    const person = await makeUser(database.db);
    const { project } = await makeProject(database.db);
    await database.db.insert(projectMembers).values({ projectId: project.id, userId: person.id, role: "editor" });
    const codes = await requestPairingCode(database.db, { appUrl: APP, ip, clientName: "gpu-box" });

    expect(await outcome(pollPairingToken(database.db, { deviceCode: codes.device_code, ip }))).toBe("400 authorization_pending");
    const tooSoon = await pollPairingToken(database.db, { deviceCode: codes.device_code, ip }).catch((e: OAuthError) => e);
    expect(tooSoon).toBeInstanceOf(OAuthError);
    expect((tooSoon as OAuthError).error).toBe("slow_down");
    expect((tooSoon as OAuthError).interval).toBe(10);

    const seen = await lookUpPairing(database.db, { userId: person.id, ip, userCode: codes.user_code.toLowerCase() });
    expect(seen).toMatchObject({ userCode: codes.user_code, suggestedName: "gpu-box" });
    const approved = await approvePairing(database.db, { userId: person.id, ip, userCode: codes.user_code.replace("-", " "), name: "Study GPU", projectIds: [project.id] });

    await waitedInterval(codes.device_code);
    const token = await pollPairingToken(database.db, { deviceCode: codes.device_code, ip });
    expect(token).toMatchObject({ token_type: "Bearer", device_id: approved.deviceId, device_name: "Study GPU" });
    expect(token.access_token).toMatch(/^arbor_dev_[0-9A-Za-z]{40}$/);
    const [device] = await database.db.select().from(devices).where(eq(devices.id, approved.deviceId));
    expect(device?.userId).toBe(person.id);
    expect(device?.tokenPrefix && token.access_token.startsWith(device.tokenPrefix)).toBe(true);
    expect(JSON.stringify(device)).not.toContain(token.access_token.slice(16));
    expect(await database.db.select().from(deviceProjects).where(eq(deviceProjects.deviceId, approved.deviceId))).toEqual([{ deviceId: approved.deviceId, projectId: project.id }]);
    const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, person.id));
    expect(events.map((e) => e.kind)).toContain("device_paired");

    // single use: neither the agent's code nor the person's code works again
    await waitedInterval(codes.device_code);
    expect(await outcome(pollPairingToken(database.db, { deviceCode: codes.device_code, ip }))).toBe("400 invalid_grant");
    expect(await outcome(approvePairing(database.db, { userId: person.id, ip, userCode: codes.user_code, name: "Again", projectIds: [] }))).toBe("not_found:pairing_code");

    const identity = await authenticateDevice(database.db, new Headers({ authorization: `Bearer ${token.access_token}`, "x-forwarded-for": freshIp() }));
    expect(identity).toEqual({ deviceId: approved.deviceId, userId: person.id, name: "Study GPU" });
    const listed = await listDevices(database.db, { userId: person.id });
    expect(listed).toEqual([expect.objectContaining({ id: approved.deviceId, name: "Study GPU", state: { kind: "waiting" }, projects: [{ id: project.id, title: project.title }] })]);

    await removeDevice(database.db, { userId: person.id, deviceId: approved.deviceId });
    expect(await outcome(authenticateDevice(database.db, new Headers({ authorization: `Bearer ${token.access_token}`, "x-forwarded-for": freshIp() })))).toBe("unauthorized:device_revoked");
    expect(await listDevices(database.db, { userId: person.id })).toEqual([]);
  });

  it("answers access_denied once the person declines, and expired_token after ten minutes", async () => {
    const ip = freshIp();
    const person = await makeUser(database.db);
    const declined = await requestPairingCode(database.db, { appUrl: APP, ip });
    await denyPairing(database.db, { userId: person.id, ip, userCode: declined.user_code });
    expect(await outcome(pollPairingToken(database.db, { deviceCode: declined.device_code, ip }))).toBe("400 access_denied");

    const late = await requestPairingCode(database.db, { appUrl: APP, ip });
    await database.db.execute(sql`update device_pairings set expires_at = now() - interval '1 second' where user_code = ${late.user_code.replace("-", "")}`);
    expect(await outcome(pollPairingToken(database.db, { deviceCode: late.device_code, ip }))).toBe("400 expired_token");
    expect(await outcome(approvePairing(database.db, { userId: person.id, ip, userCode: late.user_code, name: "Late", projectIds: [] }))).toBe("not_found:pairing_code");
  });

  it("refuses projects the person cannot chat in, and changes nothing when it does", async () => {
    const ip = freshIp();
    const person = await makeUser(database.db);
    const theirs = await makeProject(database.db);
    const viewing = await makeProject(database.db);
    await database.db.insert(projectMembers).values({ projectId: viewing.project.id, userId: person.id, role: "viewer" });
    const codes = await requestPairingCode(database.db, { appUrl: APP, ip });
    for (const projectId of [theirs.project.id, viewing.project.id]) {
      expect(await outcome(approvePairing(database.db, { userId: person.id, ip, userCode: codes.user_code, name: "Box", projectIds: [projectId] }))).toBe("not_found:project");
    }
    expect(await outcome(approvePairing(database.db, { userId: person.id, ip, userCode: codes.user_code, name: "   ", projectIds: [] }))).toBe("bad_request:device_name");
    expect(await database.db.select().from(devices).where(eq(devices.userId, person.id))).toEqual([]);
    // the code is still good for a correct confirmation
    expect(await outcome(approvePairing(database.db, { userId: person.id, ip, userCode: codes.user_code, name: "Box", projectIds: [] }))).toBe("ok");
  });

  it("rate-limits wrong user codes per person: past the limit even the right code is refused", async () => {
    const person = await makeUser(database.db);
    const codes = await requestPairingCode(database.db, { appUrl: APP, ip: freshIp() });
    for (let i = 0; i < USER_CODE_GUESS_RULE.limit; i++) {
      expect(await outcome(lookUpPairing(database.db, { userId: person.id, ip: freshIp(), userCode: "BBBB-BBBB" }))).toBe("not_found:pairing_code");
    }
    expect(await outcome(lookUpPairing(database.db, { userId: person.id, ip: freshIp(), userCode: codes.user_code }))).toBe("rate_limited:pairing_code");
    expect(await outcome(approvePairing(database.db, { userId: person.id, ip: freshIp(), userCode: codes.user_code, name: "Box", projectIds: [] }))).toBe("rate_limited:pairing_code");
    // someone else, from elsewhere, is not held back by it
    const other = await makeUser(database.db);
    expect(await outcome(lookUpPairing(database.db, { userId: other.id, ip: freshIp(), userCode: codes.user_code }))).toBe("ok");
  });

  it("refuses unknown device codes, then rate-limits an address that keeps guessing", async () => {
    const ip = freshIp();
    let last = "";
    for (let i = 0; i < 31; i++) last = await outcome(pollPairingToken(database.db, { deviceCode: `guess-${i}`, ip }));
    expect(last).toBe("429 invalid_request");
    expect(await outcome(pollPairingToken(database.db, { deviceCode: "guess-x", ip: freshIp() }))).toBe("400 invalid_grant");
  });

  it("refuses malformed device tokens and personal tokens on the device path", async () => {
    for (const header of ["", "Bearer ", "Bearer arbor_dev_short", `Bearer arbor_pat_${"a".repeat(40)}`, `Bearer arbor_dev_${"a".repeat(40)}`]) {
      const headers = new Headers({ "x-forwarded-for": freshIp() });
      if (header) headers.set("authorization", header);
      expect(await outcome(authenticateDevice(database.db, headers))).toBe("unauthorized:device_token");
    }
  });

  it("reads the RFC's form encoding and JSON, and refuses anything else", async () => {
    const form = new Request("http://x/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=a%3Ab&device_code=xyz" });
    expect(await readOAuthBody(form, 1024)).toEqual({ grant_type: "a:b", device_code: "xyz" });
    const json = new Request("http://x/", { method: "POST", headers: { "content-type": "application/json" }, body: '{"client_name":"box","n":1}' });
    expect(await readOAuthBody(json, 1024)).toEqual({ client_name: "box" });
    const text = new Request("http://x/", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    expect(await outcome(readOAuthBody(text, 1024))).toBe("400 invalid_request");
    const broken = new Request("http://x/", { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(await outcome(readOAuthBody(broken, 1024))).toBe("400 invalid_request");
    const big = new Request("http://x/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: "x".repeat(5000) }) });
    expect(await outcome(readOAuthBody(big, 1024))).toBe("too_large:request_body");
  });

  it("normalises what a person types", () => {
    expect(normalizeUserCode("bcdf-ghjk")).toBe("BCDFGHJK");
    expect(normalizeUserCode(" BCDF GHJK ")).toBe("BCDFGHJK");
    expect(normalizeUserCode("BCDF-GHJA")).toBeNull();
    expect(normalizeUserCode("BCDF")).toBeNull();
  });
});
