import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser";

describe("SseParser", () => {
  it("parses id and data and dispatches on the blank line", () => {
    const parser = new SseParser();
    expect(parser.push('id: 0\ndata: {"type":"content","text":"Hi"}\n\n')).toEqual([
      { id: "0", event: null, data: '{"type":"content","text":"Hi"}' },
    ]);
  });

  it("joins events split across arbitrary chunk boundaries, CRLF included", () => {
    const parser = new SseParser();
    const wire = 'id: 1\r\ndata: {"a":1}\r\n\r\nid: 2\r\nevent: x\r\ndata: {"b":2}\r\n\r\n';
    const events = [];
    for (const char of wire) events.push(...parser.push(char));
    expect(events).toEqual([
      { id: "1", event: null, data: '{"a":1}' },
      { id: "2", event: "x", data: '{"b":2}' },
    ]);
  });

  it("ignores comments, keeps the last id, and joins multi-line data", () => {
    const parser = new SseParser();
    const events = parser.push(": keep-alive\n\nid: 7\ndata: one\ndata: two\n\ndata: three\n\n");
    expect(events).toEqual([
      { id: "7", event: null, data: "one\ntwo" },
      { id: "7", event: null, data: "three" },
    ]);
  });

  it("holds an unfinished event until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.push("id: 3\ndata: partial")).toEqual([]);
    expect(parser.push("\n\n")).toEqual([{ id: "3", event: null, data: "partial" }]);
  });
});
