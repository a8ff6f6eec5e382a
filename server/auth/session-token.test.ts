import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionIdFromCookies } from "./session-token";

const secret = "session-token-test-secret-0123456789abcdef";
const token = (salt: string, sid: unknown = "sid-1", maxAge = 60) => encode({ token: { sid, uid: "u1" }, secret, salt, maxAge });

describe("the session cookie, decoded without auth()", () => {
  it("reads the sid Auth.js put in its cookie, under the cookie name Auth.js picks for the address", async () => {
    const plain = await token("authjs.session-token");
    expect(await sessionIdFromCookies({ cookie: `other=1; authjs.session-token=${plain}`, authUrl: "http://localhost:3000/api/auth", secret })).toBe("sid-1");
    const secure = await token("__Secure-authjs.session-token", "sid-2");
    expect(await sessionIdFromCookies({ cookie: `__Secure-authjs.session-token=${secure}`, authUrl: "https://arbor.example/api/auth", secret })).toBe("sid-2");
    // an http cookie on an https site (planted from elsewhere) is not the session, as for Auth.js
    expect(await sessionIdFromCookies({ cookie: `authjs.session-token=${plain}`, authUrl: "https://arbor.example/api/auth", secret })).toBeNull();
  });

  it("refuses what Auth.js refuses: another secret, another salt, an expired token, garbage, no sid", async () => {
    const url = "http://localhost:3000/api/auth";
    const other = await encode({ token: { sid: "x" }, secret: "another-secret-another-secret-0123456789", salt: "authjs.session-token" });
    expect(await sessionIdFromCookies({ cookie: `authjs.session-token=${other}`, authUrl: url, secret })).toBeNull();
    const wrongSalt = await token("__Secure-authjs.session-token");
    expect(await sessionIdFromCookies({ cookie: `authjs.session-token=${wrongSalt}`, authUrl: url, secret })).toBeNull();
    const expired = await token("authjs.session-token", "sid-1", -60);
    expect(await sessionIdFromCookies({ cookie: `authjs.session-token=${expired}`, authUrl: url, secret })).toBeNull();
    expect(await sessionIdFromCookies({ cookie: "authjs.session-token=not-a-jwe", authUrl: url, secret })).toBeNull();
    expect(await sessionIdFromCookies({ cookie: `authjs.session-token=${await token("authjs.session-token", 42)}`, authUrl: url, secret })).toBeNull();
    expect(await sessionIdFromCookies({ cookie: null, authUrl: url, secret })).toBeNull();
  });
});
