import { describe, expect, it } from "vitest";
import { dayIn, formatDate, isTimeZone, safeZone, zoneLabel } from "./datetime";

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
