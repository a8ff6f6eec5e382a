/** One server-sent event as our chat stream uses it: an id (its sequence number) and a JSON data line. */
export type SseMessage = { id: string | null; event: string | null; data: string };

/**
 * Incremental `text/event-stream` parser (WHATWG "event stream interpretation").
 * EventSource can only GET, and POST /api/chat must carry a body, so the client
 * reads the response with fetch and feeds the decoded chunks through here.
 * Chunks may split anywhere, including inside a CRLF pair.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private id: string | null = null;
  private event: string | null = null;
  private pendingCr = false;

  /** Feed decoded text; returns the events completed by it. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    // A CR that ended the previous chunk may be the first half of CRLF.
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      const line = this.buffer.slice(0, match.index);
      const rest = this.buffer.slice(match.index + match[0].length);
      if (match[0] === "\r" && rest === "") this.pendingCr = true;
      this.buffer = rest;
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = null;
        return null;
      }
      const message = { id: this.id, event: this.event, data: this.data.join("\n") };
      this.data = [];
      this.event = null;
      return message;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    else if (field === "event") this.event = value;
    return null;
  }
}
