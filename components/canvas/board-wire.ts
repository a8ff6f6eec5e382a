import type { BoardData } from "./types";

/**
 * The board travels from the page to the browser as one JSON string, not as
 * a props object: React's server-component serializer walks every one of a
 * large board's 5,000 message objects property by property (a second of
 * server time, then as long again to revive them in the browser), where one
 * string is copied through and parsed natively in a few milliseconds.
 */

export function boardToWire(board: BoardData): string {
  return JSON.stringify(board);
}

/** JSON gives dates back as strings; these are the board's date fields. */
const DATE_KEYS = new Set(["cursor", "createdAt", "updatedAt"]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

export function boardFromWire(wire: string): BoardData {
  return JSON.parse(wire, (key, value) => (DATE_KEYS.has(key) && typeof value === "string" && ISO_DATE.test(value) ? new Date(value) : value)) as BoardData;
}
