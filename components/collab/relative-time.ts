const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 hours ago", "in 2 days" — for joined / last active / expiry columns. */
export function relativeTime(date: Date | string | null | undefined, now = Date.now()): string {
  if (!date) return "never";
  const diff = new Date(date).getTime() - now;
  const abs = Math.abs(diff);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, ms] of units) if (abs >= ms) return RELATIVE.format(Math.round(diff / ms), unit);
  return "just now";
}
