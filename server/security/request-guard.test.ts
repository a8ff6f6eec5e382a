import { describe, expect, it } from "vitest";
import { isAppError } from "@/server/errors";
import { assertSameOrigin, readCappedBody, readJsonBody } from "./request-guard";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
  return null;
};

describe("assertSameOrigin", () => {
  it("lets this site, a typed address and scripts (no browser headers) through", () => {
    expect(refusal(() => assertSameOrigin(new Headers({ "sec-fetch-site": "same-origin", origin: "http://localhost:3000", host: "localhost:3000" })))).toBeNull();
    expect(refusal(() => assertSameOrigin(new Headers({ "sec-fetch-site": "none" })))).toBeNull();
    expect(refusal(() => assertSameOrigin(new Headers({ authorization: "Bearer x" })))).toBeNull();
    // an older browser without fetch metadata: Origin must name this host (or the proxy's forwarded host)
    expect(refusal(() => assertSameOrigin(new Headers({ origin: "http://localhost:3000", host: "localhost:3000" })))).toBeNull();
    expect(refusal(() => assertSameOrigin(new Headers({ origin: "https://arbor.example", host: "10.0.0.5:3000", "x-forwarded-host": "arbor.example" })))).toBeNull();
  });

  it("refuses other sites, sibling subdomains and opaque origins", () => {
    expect(refusal(() => assertSameOrigin(new Headers({ "sec-fetch-site": "cross-site", origin: "https://evil.example" })))).toBe("forbidden:cross_site");
    expect(refusal(() => assertSameOrigin(new Headers({ "sec-fetch-site": "same-site", origin: "https://user.arbor.example" })))).toBe("forbidden:cross_site");
    expect(refusal(() => assertSameOrigin(new Headers({ origin: "https://evil.example", host: "localhost:3000" })))).toBe("forbidden:cross_site");
    expect(refusal(() => assertSameOrigin(new Headers({ origin: "null", host: "localhost:3000" })))).toBe("forbidden:cross_site");
    expect(refusal(() => assertSameOrigin(new Headers({ origin: "http://localhost:3000.evil.example", host: "localhost:3000" })))).toBe("forbidden:cross_site");
  });
});

/** A body that streams `chunks` pieces of `size` bytes and counts how many were pulled. */
function streamingRequest(chunks: number, size: number, headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  }, { highWaterMark: 0 });
  const request = new Request("http://localhost/api/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, pulled: () => pulled };
}

describe("readCappedBody", () => {
  it("refuses a declared Content-Length over the cap without reading a byte", async () => {
    const { request, pulled } = streamingRequest(100, 1024, { "content-length": String(100 * 1024) });
    await expect(readCappedBody(request, 10 * 1024)).rejects.toMatchObject({ code: "too_large:request_body", status: 413 });
    expect(pulled()).toBe(0);
  });

  it("cuts off a body without a length as soon as it passes the cap", async () => {
    const { request, pulled } = streamingRequest(10_000, 1024);
    await expect(readCappedBody(request, 64 * 1024)).rejects.toMatchObject({ code: "too_large:request_body" });
    expect(pulled()).toBeLessThanOrEqual(66);
  });

  it("returns a body within the cap whole", async () => {
    const { request } = streamingRequest(3, 1000);
    expect((await readCappedBody(request, 3000)).byteLength).toBe(3000);
  });
});

describe("readJsonBody", () => {
  it("requires application/json before reading", async () => {
    const { request, pulled } = streamingRequest(1, 10, { "content-type": "text/plain" });
    await expect(readJsonBody(request, 1024)).rejects.toMatchObject({ code: "unsupported_media_type:json", status: 415 });
    expect(pulled()).toBe(0);
  });

  it("parses JSON with a charset, and names bad JSON", async () => {
    const ok = new Request("http://localhost/", { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json; charset=utf-8" } });
    expect(await readJsonBody(ok, 1024)).toEqual({ a: 1 });
    const bad = new Request("http://localhost/", { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    await expect(readJsonBody(bad, 1024)).rejects.toMatchObject({ code: "bad_request:json" });
  });
});
