/**
 * The tus checksum extension on the client side, for tus-js-client (browser
 * and Node alike): an HttpStack that wraps the default one and gives every
 * PATCH an `Upload-Checksum: sha256 <base64>` of exactly the bytes it sends.
 * The server refuses a chunk whose bytes do not match (460) and tus-js-client
 * sends it again. Uses Web Crypto, which both runtimes have.
 * @see docs/adapters.md#integrity
 */
type Req<R> = {
  getMethod(): string;
  getURL(): string;
  setHeader(header: string, value: string): void;
  getHeader(header: string): string | undefined;
  setProgressHandler(handler: (bytesSent: number) => void): void;
  send(body: unknown): Promise<R>;
  abort(): Promise<void>;
  getUnderlyingObject(): unknown;
};
type Stack<R> = { createRequest(method: string, url: string): Req<R>; getName(): string };

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function bytesOf(body: unknown): Promise<Uint8Array<ArrayBuffer>> {
  // A view over a plain ArrayBuffer is hashed as it is: copying an 8 MiB chunk per request costs more than the hash.
  if (body instanceof Uint8Array) return body.buffer instanceof ArrayBuffer ? (body as Uint8Array<ArrayBuffer>) : new Uint8Array(body);
  if (typeof Blob !== "undefined" && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new Error("A chunk body must be bytes or a Blob to be checksummed");
}

export async function sha256Base64(body: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await bytesOf(body));
  return toBase64(new Uint8Array(digest));
}

export function checksummingStack<R>(inner: Stack<R>): Stack<R> {
  return {
    getName: () => `${inner.getName()}+sha256`,
    createRequest(method, url) {
      const request = inner.createRequest(method, url);
      return {
        getMethod: () => request.getMethod(),
        getURL: () => request.getURL(),
        setHeader: (h, v) => request.setHeader(h, v),
        getHeader: (h) => request.getHeader(h),
        setProgressHandler: (handler) => request.setProgressHandler(handler),
        abort: () => request.abort(),
        getUnderlyingObject: () => request.getUnderlyingObject(),
        async send(body) {
          if (method === "PATCH" && body != null) request.setHeader("Upload-Checksum", `sha256 ${await sha256Base64(body)}`);
          return request.send(body);
        },
      };
    },
  };
}

/** A whole file's SHA-256 in hex, computed before the upload starts (the server compares its own). */
export async function sha256HexOfBlob(file: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
