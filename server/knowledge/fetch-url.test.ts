import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusalReason } from "./address-policy";
import { fetchUrl, vetUrl } from "./fetch-url";

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><head><title>Orchard &amp; Co</title></head><body><p>Hello</p></body></html>");
    } else if (url.pathname === "/hop") {
      res.writeHead(302, { location: `/page` });
      res.end();
    } else if (url.pathname === "/to-metadata") {
      res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    } else if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
    } else if (url.pathname === "/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("z".repeat(5_000));
    } else if (url.pathname === "/stream") {
      // no Content-Length: the cap must be enforced while reading
      res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
      let n = 0;
      const timer = setInterval(() => {
        res.write("y".repeat(1_000));
        if (++n > 20) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
    } else if (url.pathname === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      setTimeout(() => res.end(), 3_000).unref();
    } else if (url.pathname === "/binary") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(Buffer.from([1, 2, 3]));
    } else {
      res.writeHead(404);
      res.end("nope");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// Only the test server's loopback address is let through; everything else keeps the real policy.
const onlyTestServer = (address: string) => (address === "127.0.0.1" ? null : refusalReason(address));

describe("address policy", () => {
  it("refuses loopback, private, link-local, CGNAT and IPv6 special ranges", () => {
    for (const ip of ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::"]) {
      expect(refusalReason(ip), ip).not.toBeNull();
    }
    expect(refusalReason("169.254.169.254")).toMatch(/link-local/);
    expect(refusalReason("127.0.0.1")).toMatch(/loopback/);
    for (const ip of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) expect(refusalReason(ip), ip).toBeNull();
  });
});

describe("fetchUrl", () => {
  it("refuses 127.0.0.1 and 169.254.169.254 with a clear reason", async () => {
    await expect(fetchUrl(`${base}/page`)).rejects.toThrow(/Refused to fetch 127\.0\.0\.1: it is a loopback address/);
    await expect(fetchUrl("http://169.254.169.254/latest/meta-data/")).rejects.toThrow(/Refused to fetch 169\.254\.169\.254: it is a link-local address/);
    await expect(vetUrl("http://metadata.test/", { resolve: async () => [{ address: "169.254.169.254", family: 4 }] })).rejects.toThrow(
      /metadata\.test \(169\.254\.169\.254\)/,
    );
    // any private answer among several is enough to refuse (DNS round-robin tricks)
    await expect(
      vetUrl("http://mixed.test/", { resolve: async () => [{ address: "93.184.216.34", family: 4 }, { address: "10.0.0.5", family: 4 }] }),
    ).rejects.toThrow(/private address/);
    await expect(vetUrl("ftp://example.com/")).rejects.toThrow(/Only http and https/);
    await expect(vetUrl("http://user:pw@example.com/")).rejects.toThrow(/user name or password/);
    await expect(vetUrl("not a url")).rejects.toThrow(/not a valid URL/);
  });

  it("fetches a page, follows vetted redirects, and reads the title", async () => {
    const page = await fetchUrl(`${base}/hop`, { policy: onlyTestServer });
    expect(page.mediaType).toBe("text/html");
    expect(page.title).toBe("Orchard & Co");
    expect(page.finalUrl).toBe(`${base}/page`);
    expect(new TextDecoder().decode(page.bytes)).toContain("Hello");
  });

  it("re-checks every redirect hop and caps the number of hops", async () => {
    await expect(fetchUrl(`${base}/to-metadata`, { policy: onlyTestServer })).rejects.toThrow(/169\.254\.169\.254: it is a link-local address/);
    await expect(fetchUrl(`${base}/loop`, { policy: onlyTestServer })).rejects.toThrow(/Too many redirects/);
  });

  it("enforces the size cap by header and while streaming, the timeout, status and content type", async () => {
    await expect(fetchUrl(`${base}/big`, { policy: onlyTestServer, maxBytes: 1_000 })).rejects.toThrow(/limit/);
    await expect(fetchUrl(`${base}/stream`, { policy: onlyTestServer, maxBytes: 5_000 })).rejects.toThrow(/larger than/);
    await expect(fetchUrl(`${base}/slow`, { policy: onlyTestServer, timeoutMs: 300 })).rejects.toThrow(/longer than 10 seconds|stopped/);
    await expect(fetchUrl(`${base}/missing`, { policy: onlyTestServer })).rejects.toThrow(/answered 404/);
    await expect(fetchUrl(`${base}/binary`, { policy: onlyTestServer })).rejects.toThrow(/cannot be added/);
  });
});
