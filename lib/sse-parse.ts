/**
 * An incremental parser of server-sent events (the WHATWG event-stream
 * format): feed it text as it arrives, get whole events out. Comments
 * (`: ping`) are reported as events named "comment" so a reader can count
 * keep-alives as signs of life.
 */
export type SseEvent = { event: string; data: string; id: string | null };

export function createSseParser(onEvent: (event: SseEvent) => void): (text: string) => void {
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | null = null;
  return (text: string) => {
    buffer += text;
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === "\r" && buffer[end + 1] === "\n" ? end + 2 : end + 1);
      if (line === "") {
        if (data.length > 0) onEvent({ event, data: data.join("\n"), id });
        event = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        onEvent({ event: "comment", data: line.slice(1).trim(), id: null });
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  };
}
