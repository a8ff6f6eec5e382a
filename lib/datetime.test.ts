import { describe, expect, it } from "vitest";
import { dayIn, formatDate, formatWithZone, isTimeZone, nextDay, safeZone, startOfDayIn, zoneLabel } from "./datetime";

describe("formatDate", () => {
  const at = new Date("2026-12-01T23:30:00Z");
  it("renders the same instant in the person's zone", () => {
    expect(formatDate(at, "UTC")).toBe("Dec 1, 2026, 23:30");
    expect(formatDate(at, "Europe/Berlin")).toBe("Dec 2, 2026, 00:30");
    expect(formatDate(at, "America/Los_Angeles")).toBe("Dec 1, 2026, 15:30");
    expect(formatDate(at, "Asia/Kolkata", "time")).toBe("05:00");
    expect(formatDate(at, "Asia/Tokyo", "date")).toBe("Dec 2, 2026");
  });
  it("takes strings and numbers, and says — for nothing", () => {
    expect(formatDate(at.toISOString(), "UTC")).toBe("Dec 1, 2026, 23:30");
    expect(formatDate(at.getTime(), "UTC", "date")).toBe("Dec 1, 2026");
    expect(formatDate(null, "UTC")).toBe("—");
    expect(formatDate("not a date", "UTC")).toBe("—");
  });
  it("falls back to UTC for a zone the runtime does not know", () => {
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(safeZone("Mars/Olympus")).toBe("UTC");
    expect(formatDate(at, "Mars/Olympus")).toBe("Dec 1, 2026, 23:30");
  });
  it("knows the day and the zone's name", () => {
    expect(dayIn(at, "UTC")).toBe("2026-12-01");
    expect(dayIn(at, "Asia/Tokyo")).toBe("2026-12-02");
    expect(zoneLabel("UTC", at)).toBe("UTC");
    expect(zoneLabel("Europe/Berlin", at)).toBe("GMT+1");
  });
});

describe("knownTimeZones", () => {
  it("offers UTC first and current names, each one a zone formatDate accepts", async () => {
    const { knownTimeZones } = await import("./datetime");
    const zones = knownTimeZones();
    expect(zones[0]).toBe("UTC");
    expect(zones).toContain("Asia/Kathmandu");
    expect(zones).toContain("Europe/Berlin");
    expect(zones).not.toContain("Asia/Calcutta");
    expect(new Set(zones).size).toBe(zones.length);
    for (const z of zones) expect(isTimeZone(z)).toBe(true);
  });
});

describe("times stated by the server, and days in a zone", () => {
  it("a mail's time is in the reader's zone and names it", () => {
    const at = new Date("2026-12-01T23:30:00Z");
    expect(formatWithZone(at, "Europe/Berlin")).toBe("Dec 2, 2026, 00:30 GMT+1");
    expect(formatWithZone(at, "UTC")).toBe("Dec 1, 2026, 23:30 UTC");
    expect(formatWithZone(at, "America/Los_Angeles", "date")).toBe("Dec 1, 2026 PST");
  });
  it("a day begins at that zone's midnight, across daylight-saving changes too", () => {
    expect(startOfDayIn("2026-12-02", "UTC").toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(startOfDayIn("2026-12-02", "Europe/Berlin").toISOString()).toBe("2026-12-01T23:00:00.000Z");
    expect(startOfDayIn("2026-07-02", "Europe/Berlin").toISOString()).toBe("2026-07-01T22:00:00.000Z");
    expect(startOfDayIn("2026-12-02", "Asia/Kolkata").toISOString()).toBe("2026-12-01T18:30:00.000Z");
    expect(startOfDayIn("2026-12-02", "America/Los_Angeles").toISOString()).toBe("2026-12-02T08:00:00.000Z");
    // the day clocks go forward (23 hours long) and back (25)
    expect(startOfDayIn("2026-03-30", "Europe/Berlin").getTime() - startOfDayIn("2026-03-29", "Europe/Berlin").getTime()).toBe(23 * 3_600_000);
    expect(startOfDayIn("2026-10-26", "Europe/Berlin").getTime() - startOfDayIn("2026-10-25", "Europe/Berlin").getTime()).toBe(25 * 3_600_000);
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(startOfDayIn("2026-12-02", "Mars/Olympus").toISOString()).toBe("2026-12-02T00:00:00.000Z");
  });
});
