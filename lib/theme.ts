/** Theme choice, shared by the root layout's inline script, the picker and the server. */
export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export const THEME_COOKIE = "arbor_theme";

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === "string" && (THEME_CHOICES as readonly string[]).includes(value);
}

/**
 * Runs in <head> before anything paints (so a dark page never flashes white):
 * resolves "system" against prefers-color-scheme, puts the class on <html>,
 * follows the system setting while the page is open, and remembers the
 * choice in a cookie for pages rendered signed out. Inline, so it carries
 * the request's CSP nonce; no user input reaches it (the choice is read from
 * the data attribute the server rendered from an enum).
 */
export const THEME_SCRIPT = `(function(){var r=document.documentElement,c=r.getAttribute("data-theme-choice")||"system",m=window.matchMedia("(prefers-color-scheme: dark)");function a(){var d=c==="dark"||(c==="system"&&m.matches);r.classList.toggle("dark",d);r.style.colorScheme=d?"dark":"light"}a();m.addEventListener("change",function(){c=r.getAttribute("data-theme-choice")||"system";a()});document.cookie="${THEME_COOKIE}="+c+"; path=/; max-age=31536000; samesite=lax"})();`;

/** What the picker does on the open page: the same as the script, at once, without a reload. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  root.setAttribute("data-theme-choice", choice);
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  root.classList.toggle("dark", dark);
  root.style.colorScheme = dark ? "dark" : "light";
  // biome-ignore lint/suspicious/noDocumentCookie: a display preference read by the server for signed-out pages; not a secret
  document.cookie = `${THEME_COOKIE}=${choice}; path=/; max-age=31536000; samesite=lax`;
}
