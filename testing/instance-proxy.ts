import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small reverse proxy in front of several Arbor instances, as a load
 * balancer runs them (docs/scaling.md has the nginx equivalent). No
 * stickiness is needed — sessions, rate limits, holds and stream ledgers are
 * in Postgres — so requests go round-robin, except that a cookie
 * `arbor_instance=<name>` pins a browser to one instance (how a journey
 * chooses which instance serves it). An instance that refuses the connection
 * is skipped, as nginx's `proxy_next_upstream error` does; one that dies
 * mid-response cuts that response off, and the client resumes elsewhere.
 *
 * Every request is logged with the instance that served it and its
 * Last-Event-ID, so a test can tell which instance resumed a stream from where.
 */
export type Upstream = { name: string; port: number };
export type ProxiedRequest = {
  method: string;
  path: string;
  instance: string;
  lastEventId: string | null;
  status: number | null;
  /** the X-Stream-Id an answer's response carries */
  streamId: string | null;
  at: number;
};
export type InstanceProxy = {
  url: string;
  port: number;
  log: ProxiedRequest[];
  close: () => Promise<void>;
};

export const PIN_COOKIE = "arbor_instance";

function pinned(req: IncomingMessage): string | null {
  const cookie = req.headers.cookie ?? "";
  return new RegExp(`(?:^|;\\s*)${PIN_COOKIE}=([^;]+)`).exec(cookie)?.[1] ?? null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

export async function startInstanceProxy({ port = 0, upstreams }: { port?: number; upstreams: Upstream[] }): Promise<InstanceProxy> {
  const log: ProxiedRequest[] = [];
  let turn = 0;

  /** The instances to try, in order: the pinned one first, else the next in the rotation. */
  function order(req: IncomingMessage): Upstream[] {
    const pin = pinned(req);
    const first = upstreams.findIndex((u) => u.name === pin);
    const start = first >= 0 ? first : turn++ % upstreams.length;
    return upstreams.map((_, i) => upstreams[(start + i) % upstreams.length] as Upstream);
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, candidates: Upstream[]) {
    const [target, ...rest] = candidates;
    if (!target) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end("no instance answered");
      return;
    }
    const entry: ProxiedRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      instance: target.name,
      lastEventId: (req.headers["last-event-id"] as string | undefined) ?? null,
      status: null,
      streamId: null,
      at: Date.now(),
    };
    const headers = { ...req.headers };
    const client = req.socket.remoteAddress ?? "127.0.0.1";
    headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${client}` : client;
    headers["x-forwarded-host"] = req.headers.host ?? "";
    headers["x-forwarded-proto"] = "http";
    const upstream = httpRequest({ host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      entry.status = answer.statusCode ?? null;
      entry.streamId = (answer.headers["x-stream-id"] as string | undefined) ?? null;
      log.push(entry);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // streamed through as it arrives: an SSE answer must not wait in a buffer
      answer.pipe(res);
      // the instance died mid-response: cut the client off too, so it notices and resumes
      answer.on("error", () => res.destroy());
      answer.on("aborted", () => res.destroy());
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      const safe = error.code === "ECONNREFUSED" || (error.code === "ECONNRESET" && (req.method === "GET" || req.method === "HEAD"));
      if (!res.headersSent && safe && entry.status === null) {
        // nothing reached the instance (or a read went unanswered): the next one may serve it
        forward(req, res, body, rest);
        return;
      }
      res.destroy();
    });
    res.on("close", () => upstream.destroy());
    upstream.end(body);
  }

  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => forward(req, res, body, order(req)),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // every address (IPv4 and IPv6), as `next start` listens: a browser's "localhost" may be either
    server.listen(port, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${actual}`,
    port: actual,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
