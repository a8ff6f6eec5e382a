import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import { safeZone } from "@/lib/datetime";
import { THEME_COOKIE, type ThemeChoice, isThemeChoice } from "@/lib/theme";
import { getCurrentUser } from "@/server/auth/session";
import { getPreferences } from "./preferences";

export type Display = { theme: ThemeChoice; zone: string; nonce: string | undefined };

/**
 * How this request's pages look: the signed-in person's stored theme and time
 * zone; for a visitor, the theme cookie the last signed-in visit left (so
 * sign-in pages stay dark too) and UTC. Cached per request: the root layout
 * and every server component that formats a date share one read.
 */
export const getDisplay = cache(async (): Promise<Display> => {
  const [user, jar, h] = await Promise.all([getCurrentUser(), cookies(), headers()]);
  const nonce = h.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
  const cookieTheme = jar.get(THEME_COOKIE)?.value;
  if (!user) return { theme: isThemeChoice(cookieTheme) ? cookieTheme : "system", zone: "UTC", nonce };
  const prefs = await getPreferences(await getDb(), { userId: user.id });
  return { theme: prefs.theme, zone: safeZone(prefs.timezone), nonce };
});
