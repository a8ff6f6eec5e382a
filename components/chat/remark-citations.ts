import type { Emphasis, Link, Parent, PhrasingContent, Root, Text } from "mdast";

/** A stored citation: where `[n]` leads (null when it names no chunk), and why the verifying phase doubted it, if it did. */
export type CitationLink = { href: string | null; title: string; unsupported?: string };

const MARKER = /\[(\d{1,3})\]/g;

function split(node: Text, links: ReadonlyMap<number, CitationLink>): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  let last = 0;
  for (const match of node.value.matchAll(MARKER)) {
    const link = links.get(Number(match[1]));
    if (!link) continue;
    const index = match.index ?? 0;
    if (index > last) out.push({ type: "text", value: node.value.slice(last, index) });
    const marker: Text = { type: "text", value: match[0] };
    const citation: PhrasingContent = link.href ? ({ type: "link", url: link.href, title: link.title, children: [marker] } satisfies Link) : marker;
    out.push(link.unsupported ? unsupportedMark(citation, link.unsupported) : citation);
    last = index + match[0].length;
  }
  if (out.length === 0) return null;
  if (last < node.value.length) out.push({ type: "text", value: node.value.slice(last) });
  return out;
}

/**
 * An unsupported citation stays visible but is marked: a <mark> with the
 * reason as its title and in words for screen readers (mdast's hName/hProperties
 * decide the element the markdown renderer makes; no raw HTML is involved).
 */
function unsupportedMark(citation: PhrasingContent, reason: string): Emphasis {
  return {
    type: "emphasis",
    data: { hName: "mark", hProperties: { className: ["citation-unsupported"], title: `Unsupported citation: ${reason}` } },
    children: [citation, { type: "text", value: "", data: { hName: "span", hProperties: { className: ["sr-only"] }, hChildren: [{ type: "text", value: ` (unsupported: ${reason})` }] } }],
  };
}

function walk(parent: Parent, links: ReadonlyMap<number, CitationLink>) {
  // Links and code keep their text as written; only prose markers become citations.
  if (parent.type === "link" || parent.type === "linkReference") return;
  const children: Parent["children"] = [];
  for (const child of parent.children) {
    if (child.type === "text") {
      const replaced = split(child, links);
      if (replaced) {
        children.push(...replaced);
        continue;
      }
    } else if ("children" in child) {
      walk(child, links);
    }
    children.push(child);
  }
  parent.children = children;
}

/** remark plugin: turns `[1]` markers that match a stored citation into links to the cited chunk, and marks the unsupported ones. */
export function remarkCitations(links: ReadonlyMap<number, CitationLink>) {
  return () => (tree: Root) => {
    if (links.size > 0) walk(tree, links);
  };
}
