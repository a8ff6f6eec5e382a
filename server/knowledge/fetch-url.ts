import "server-only";
import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { formatBytes } from "@/lib/bytes";
import { refusalReason } from "./address-policy";
import { ExtractionError } from "./extraction-error";
import { FILE_CAP_BYTES } from "./limits";
import { KIND_MEDIA_TYPE, kindOf, mediaTypeForFilename } from "./media-type";

/** A URL the server will not fetch, with the reason in words. */
export class UrlRefusedError extends ExtractionError {
  constructor(message: string) {
    super(message);
    this.name = "UrlRefusedError";
  }
}

export type FetchOptions = {
  maxBytes?: number;
  timeoutMs?: number;
  maxRedirects?: number;
  /** which resolved addresses may be contacted; tests narrow it to reach a local server, never the default */
  policy?: (address: string) => string | null;
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
};

export type Fetched = { bytes: Uint8Array; mediaType: string; finalUrl: string; title: string | null };

const defaultResolve = (hostname: string) => lookup(hostname, { all: true, verbatim: true });

/**
 * Check a URL before anything is stored: http(s) only, no credentials, and
 * every address its host resolves to must be public. Returns the parsed URL
 * and the vetted address to connect to (so a second DNS answer cannot swap in
 * a private one — DNS rebinding).
 */
export async function vetUrl(raw: string, options: FetchOptions = {}): Promise<{ url: URL; address: string; family: number }> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UrlRefusedError("That is not a valid URL. Use a full address such as https://example.com/page.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UrlRefusedError(`Only http and https links can be fetched, not ${url.protocol.replace(":", "")}.`);
  }
  if (url.username || url.password) throw new UrlRefusedError("Links with a user name or password in them are not fetched.");
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const policy = options.policy ?? refusalReason;
  let addresses: { address: string; family: number }[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(hostname);
    } catch {
      throw new UrlRefusedError(`The host ${hostname} could not be found (DNS lookup failed).`);
    }
  }
  if (addresses.length === 0) throw new UrlRefusedError(`The host ${hostname} has no addresses.`);
  for (const { address } of addresses) {
    const reason = policy(address);
    if (reason) {
      const where = address === hostname ? address : `${hostname} (${address})`;
      throw new UrlRefusedError(`Refused to fetch ${where}: it is ${reason}. Only public internet addresses can be fetched.`);
    }
  }
  const first = addresses[0];
  if (!first) throw new UrlRefusedError(`The host ${hostname} has no addresses.`);
  return { url, ...first };
}

/**
 * Fetch a public web page or file for the vault: every redirect hop is vetted
 * again (at most 5), the whole exchange times out after 10 s, and the body is
 * counted as it arrives so an oversized or endless one is cut off.
 */
export async function fetchUrl(raw: string, options: FetchOptions = {}): Promise<Fetched> {
  const maxBytes = options.maxBytes ?? FILE_CAP_BYTES;
  const maxRedirects = options.maxRedirects ?? 5;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let target = raw;
  for (let hop = 0; ; hop++) {
    const vetted = await vetUrl(target, options);
    const response = await request(vetted, signal, maxBytes);
    if (response.status >= 300 && response.status < 400 && response.location) {
      if (hop >= maxRedirects) throw new UrlRefusedError(`Too many redirects (more than ${maxRedirects}).`);
      target = new URL(response.location, vetted.url).toString();
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      throw new UrlRefusedError(`The server answered ${response.status} for ${vetted.url.toString()}, so nothing was fetched.`);
    }
    const bytes = response.body ?? new Uint8Array();
    if (bytes.length === 0) throw new UrlRefusedError("The page is empty.");
    const mediaType = decideMediaType(response.contentType, vetted.url);
    return { bytes, mediaType, finalUrl: vetted.url.toString(), title: titleOf(bytes, mediaType, vetted.url) };
  }
}

type RawResponse = { status: number; location: string | null; contentType: string | null; body: Uint8Array | null };

function request(target: { url: URL; address: string; family: number }, signal: AbortSignal, maxBytes: number): Promise<RawResponse> {
  const client = target.url.protocol === "https:" ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    const fail = (error: unknown) => {
      if (error instanceof ExtractionError) return reject(error);
      if (signal.aborted) return reject(new UrlRefusedError("The site took longer than 10 seconds to answer, so the fetch was stopped."));
      const detail = error instanceof Error && "code" in error ? ` (${String((error as { code: unknown }).code)})` : "";
      reject(new UrlRefusedError(`The site could not be reached${detail}.`));
    };
    const req = client.request(
      target.url,
      {
        method: "GET",
        signal,
        // Connect to the address we vetted, not whatever a second DNS lookup says.
        lookup: (_hostname, opts, callback) => {
          if ((opts as { all?: boolean }).all) callback(null, [{ address: target.address, family: target.family }] as never);
          else callback(null, target.address, target.family);
        },
        headers: { "user-agent": "ArborVaultFetcher/1.0", accept: "text/html,text/plain,text/markdown,application/pdf,application/json,text/csv,*/*;q=0.5", "accept-encoding": "identity" },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === "string" ? res.headers.location : null;
        const contentType = res.headers["content-type"] ?? null;
        if (status >= 300 && status < 400) {
          res.resume();
          resolve({ status, location, contentType, body: null });
          return;
        }
        const declared = Number(res.headers["content-length"] ?? Number.NaN);
        if (declared > maxBytes) {
          req.destroy();
          reject(new UrlRefusedError(`The file is ${formatBytes(declared)}; the limit is ${formatBytes(maxBytes)}.`));
          return;
        }
        const parts: Buffer[] = [];
        let received = 0;
        res.on("data", (part: Buffer) => {
          received += part.length;
          if (received > maxBytes) {
            req.destroy();
            reject(new UrlRefusedError(`The file is larger than the ${formatBytes(maxBytes)} limit, so the fetch was stopped.`));
            return;
          }
          parts.push(part);
        });
        res.on("end", () => resolve({ status, location, contentType, body: new Uint8Array(Buffer.concat(parts)) }));
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end();
  });
}

function decideMediaType(contentType: string | null, url: URL): string {
  const kind = contentType ? kindOf(contentType) : null;
  if (kind) return KIND_MEDIA_TYPE[kind];
  const name = url.pathname.split("/").pop() ?? "";
  try {
    return mediaTypeForFilename(name);
  } catch {
    throw new UrlRefusedError(
      `The link returned ${contentType ?? "an unknown type of content"}, which cannot be added. Links to web pages, text, PDF, Word, CSV and JSON work.`,
    );
  }
}

function titleOf(bytes: Uint8Array, mediaType: string, url: URL): string | null {
  if (kindOf(mediaType) !== "html") return null;
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 64 * 1024));
  const match = /<title[^>]*>([^<]{1,300})<\/title>/i.exec(head);
  const title = match?.[1]?.replace(/\s+/g, " ").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").trim();
  return title || url.hostname;
}
