/**
 * Every date and time Arbor shows goes through here, in the person's own time
 * zone (user_preferences.timezone; UTC for signed-out visitors and mails to
 * addresses that may have no account). One formatter on server and client, so
 * a server-rendered date and the same date rendered in the browser agree and
 * hydrate without a mismatch: the zone always comes from the preference,
 * never from the machine that happens to render.
 */

export type DateStyle = "datetime" | "date" | "time";

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, style: DateStyle): Intl.DateTimeFormat {
  const key = `${zone}|${style}`;
  let f = cache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions = { timeZone: zone, hourCycle: "h23" };
    const options: Intl.DateTimeFormatOptions =
      style === "date"
        ? { ...base, year: "numeric", month: "short", day: "numeric" }
        : style === "time"
          ? { ...base, hour: "2-digit", minute: "2-digit" }
          : { ...base, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    f = new Intl.DateTimeFormat("en-US", options);
    cache.set(key, f);
  }
  return f;
}

/** True for an IANA zone the runtime knows (Europe/Berlin, UTC, America/Los_Angeles…). */
export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone to render in: the preference when it is a real zone, UTC otherwise (an old row may hold anything). */
export function safeZone(zone: string | null | undefined): string {
  return zone && isTimeZone(zone) ? zone : "UTC";
}

/** "Dec 1, 2026, 18:02" in `zone`; "—" for no date. */
export function formatDate(date: Date | string | number | null | undefined, zone: string, style: DateStyle = "datetime"): string {
  if (date === null || date === undefined) return "—";
  const d = date instanceof Date ? date : new Date(date);
  if (Number.isNaN(d.getTime())) return "—";
  return formatter(safeZone(zone), style).format(d);
}

/** The zone's short name at `date` ("UTC", "GMT+1", "PST") — shown once beside lists of times. */
export function zoneLabel(zone: string, date: Date = new Date()): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: safeZone(zone), timeZoneName: "short" }).formatToParts(date).find((p) => p.type === "timeZoneName");
  return part?.value ?? zone;
}

/**
 * "Dec 8, 2026, 19:02 GMT+1": a time as a mail or a message from the server
 * states it — in the reader's zone, named, so it cannot be misread (a mail
 * may be opened anywhere).
 */
export function formatWithZone(date: Date | string | number, zone: string, style: DateStyle = "datetime"): string {
  const d = date instanceof Date ? date : new Date(date);
  return `${formatDate(d, zone, style)} ${zoneLabel(zone, d)}`;
}

/** How far `zone`'s wall clock is ahead of UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant a calendar day (YYYY-MM-DD) begins in `zone` — a day there may be 23 or 25 hours long. */
export function startOfDayIn(day: string, zone: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  const midnightUtc = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const z = safeZone(zone);
  const guess = midnightUtc - zoneOffsetMs(midnightUtc, z);
  return new Date(midnightUtc - zoneOffsetMs(guess, z));
}

/** The calendar day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
}

/** The calendar day (YYYY-MM-DD) `date` falls on in `zone` — for date pickers that default to "today". */
export function dayIn(date: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: safeZone(zone), year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** ICU still lists some zones by their old names; people look for the current ones (both work in Intl). */
const RENAMED: Record<string, string> = {
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Asia/Rangoon": "Asia/Yangon",
  "Europe/Kiev": "Europe/Kyiv",
  "America/Godthab": "America/Nuuk",
  "Atlantic/Faeroe": "Atlantic/Faroe",
};

/**
 * The zones offered in the picker (the runtime's own list under current names, UTC first).
 * Computed on the server and handed to the picker: Node's and a browser's lists differ.
 */
export function knownTimeZones(): string[] {
  const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const named = list.map((z) => RENAMED[z] ?? z).filter((z) => z !== "UTC" && isTimeZone(z));
  return ["UTC", ...[...new Set(named)].sort()];
}
