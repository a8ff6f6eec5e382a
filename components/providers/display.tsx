"use client";

import { createContext, useContext } from "react";
import { type DateStyle, formatDate } from "@/lib/datetime";

const ZoneContext = createContext("UTC");

/** The person's time zone for every client component below (the root layout sets it from their preference). */
export function TimeZoneProvider({ zone, children }: { zone: string; children: React.ReactNode }) {
  return <ZoneContext.Provider value={zone}>{children}</ZoneContext.Provider>;
}

export function useTimeZone(): string {
  return useContext(ZoneContext);
}

/** A formatter bound to the person's zone: `fmt(date)`, `fmt(date, "date")`. */
export function useFormatDate(): (date: Date | string | number | null | undefined, style?: DateStyle) => string {
  const zone = useContext(ZoneContext);
  return (date, style) => formatDate(date, zone, style);
}

/** A date in the person's zone, with the exact instant in dateTime and the zone on hover. */
export function LocalTime({ date, style = "datetime", className }: { date: Date | string | number | null | undefined; style?: DateStyle; className?: string }) {
  const zone = useContext(ZoneContext);
  if (date === null || date === undefined) return <span className={className}>—</span>;
  const d = new Date(date);
  return (
    <time className={className} dateTime={Number.isNaN(d.getTime()) ? undefined : d.toISOString()} title={zone}>
      {formatDate(d, zone, style)}
    </time>
  );
}
