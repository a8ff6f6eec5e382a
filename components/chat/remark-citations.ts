import type { Link, Parent, PhrasingContent, Root, Text } from "mdast";

export type CitationLink = { href: string; title: string };

const MARKER = /\[(\d{1,3})\]/g;

function split(node: Text, links: ReadonlyMap<number, CitationLink>): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  let last = 0;
  for (const match of node.value.matchAll(MARKER)) {
    const link = links.get(Number(match[1]));
    if (!link) continue;
    const index = match.index ?? 0;
    if (index > last) out.push({ type: "text", value: node.value.slice(last, index) });
    const citation: Link = { type: "link", url: link.href, title: link.title, children: [{ type: "text", value: match[0] }] };
    out.push(citation);
    last = index + match[0].length;
  }
  if (out.length === 0) return null;
  if (last < node.value.length) out.push({ type: "text", value: node.value.slice(last) });
  return out;
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

/** remark plugin: turns `[1]` markers that match a stored citation into links to the cited chunk. */
export function remarkCitations(links: ReadonlyMap<number, CitationLink>) {
  return () => (tree: Root) => {
    if (links.size > 0) walk(tree, links);
  };
}
