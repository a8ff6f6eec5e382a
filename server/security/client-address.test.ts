import { describe, expect, it } from "vitest";
import { clientAddressFrom, isLoopback } from "./client-address";

const h = (xff?: string, extra: Record<string, string> = {}) => new Headers({ ...(xff === undefined ? {} : { "x-forwarded-for": xff }), ...extra });

describe("clientAddressFrom", () => {
  it("takes the entry the outermost trusted proxy wrote, never the client's own first entry", () => {
    // The client sent "6.6.6.6"; our one proxy appended the address it saw.
    expect(clientAddressFrom(h("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    // Two proxies: the second appended the first's address.
    expect(clientAddressFrom(h("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    expect(clientAddressFrom(h("203.0.113.7"), 1)).toBe("203.0.113.7");
  });

  it("with no proxy, uses what Next.js wrote (the socket address) and ignores X-Real-IP", () => {
    expect(clientAddressFrom(h("198.51.100.4"), 0)).toBe("198.51.100.4");
    expect(clientAddressFrom(h(undefined, { "x-real-ip": "127.0.0.1" }), 0)).toBe("unknown");
  });

  it("a chain shorter than the configured hops falls back to its leftmost entry", () => {
    expect(clientAddressFrom(h("203.0.113.7"), 3)).toBe("203.0.113.7");
  });

  it("normalises mapped IPv4, brackets and ports", () => {
    expect(clientAddressFrom(h("::ffff:127.0.0.1"), 0)).toBe("127.0.0.1");
    expect(clientAddressFrom(h("[2001:db8::1]:443"), 0)).toBe("2001:db8::1");
    expect(clientAddressFrom(h("203.0.113.7:5123"), 0)).toBe("203.0.113.7");
  });
});

describe("isLoopback", () => {
  it("knows loopback from LAN", () => {
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("192.168.1.20")).toBe(false);
    expect(isLoopback("unknown")).toBe(false);
  });
});
