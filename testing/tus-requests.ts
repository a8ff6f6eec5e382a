import { sha256Base64 } from "./lora-file";

/** tus 1.0 requests as a client sends them, for tests that call the upload handler directly. */
const BASE = "http://localhost/api/adapters/upload";

export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString("base64")}`)
    .join(",");
}

export function tusCreate(fields: Record<string, string>, length: number): Request {
  return new Request(BASE, { method: "POST", headers: { "Tus-Resumable": "1.0.0", "Upload-Length": String(length), "Upload-Metadata": tusMetadata(fields) } });
}

export function tusPatch(id: string, offset: number, body: Uint8Array, checksum: string | null = `sha256 ${sha256Base64(body)}`): Request {
  const headers: Record<string, string> = { "Tus-Resumable": "1.0.0", "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" };
  if (checksum) headers["Upload-Checksum"] = checksum;
  return new Request(`${BASE}/${id}`, { method: "PATCH", headers, body: new Uint8Array(body) });
}

export function tusHead(id: string): Request {
  return new Request(`${BASE}/${id}`, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } });
}

export function tusDelete(id: string): Request {
  return new Request(`${BASE}/${id}`, { method: "DELETE", headers: { "Tus-Resumable": "1.0.0" } });
}

export function uploadIdFrom(response: Response): string {
  const location = response.headers.get("location");
  if (!location) throw new Error(`no Location (status ${response.status})`);
  return location.split("/").pop() ?? "";
}
