/**
 * Where a link in an answer really goes. Answers quote pasted notes, fetched
 * pages and model output, so their links are untrusted: a link is internal
 * only when the browser would resolve it to this very origin — judged by URL
 * parsing, so `//evil.example`, `/\evil.example` and `/\t/evil.example`
 * (browsers drop tabs and read `\` as `/`) all count as external.
 */
const PROBE_ORIGIN = "https://arbor.invalid";

export type LinkTarget = { kind: "internal"; path: string } | { kind: "external"; href: string; host: string } | { kind: "unsafe" };

export function linkTarget(href: string | null | undefined): LinkTarget {
  if (!href) return { kind: "unsafe" };
  let url: URL;
  try {
    url = new URL(href, `${PROBE_ORIGIN}/`);
  } catch {
    return { kind: "unsafe" };
  }
  if (url.origin === PROBE_ORIGIN) {
    // a relative link ("notes") would resolve against whichever page shows the answer: only root paths are ours
    if (!href.trim().startsWith("/")) return { kind: "unsafe" };
    return { kind: "internal", path: `${url.pathname}${url.search}${url.hash}` };
  }
  if (url.protocol === "https:" || url.protocol === "http:") return { kind: "external", href: url.href, host: url.host };
  if (url.protocol === "mailto:") return { kind: "external", href: url.href, host: url.pathname };
  return { kind: "unsafe" };
}

/** Whether a link's words already show where it goes (a bare URL), so repeating the host would be noise. */
export function textShowsTarget(text: string, target: { href: string; host: string }): boolean {
  const shown = text.trim().replace(/\/$/, "").toLowerCase();
  const href = target.href.replace(/\/$/, "").toLowerCase();
  return shown === href || shown === href.replace(/^https?:\/\//, "") || shown === target.host.toLowerCase();
}
