import type { Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { describe, expect, it } from "vitest";
import { remarkCitations } from "./remark-citations";

const links = new Map([
  [1, { href: "/projects/p/knowledge?source=s1&chunk=c1", title: "Handbook" }],
  [2, { href: "/projects/p/knowledge?source=s2&chunk=c2", title: "Notes" }],
]);

function run(markdown: string): Root {
  const tree = fromMarkdown(markdown);
  remarkCitations(links)()(tree);
  return tree;
}

describe("remarkCitations", () => {
  it("links known markers and leaves unknown ones and code alone", () => {
    const tree = run("Blue sky [1][2] and [9].\n\n`[1]` stays code");
    const paragraph = tree.children[0];
    if (paragraph?.type !== "paragraph") throw new Error("expected a paragraph");
    expect(paragraph.children.map((c) => c.type)).toEqual(["text", "link", "link", "text"]);
    const first = paragraph.children[1];
    expect(first?.type === "link" && first.url).toBe("/projects/p/knowledge?source=s1&chunk=c1");
    expect(paragraph.children[3]).toMatchObject({ type: "text", value: " and [9]." });
    const code = tree.children[1];
    expect(code?.type === "paragraph" && code.children[0]?.type).toBe("inlineCode");
  });

  it("marks unsupported citations, with or without a chunk to open, and says why", () => {
    const marked = new Map([
      [1, { href: "/k?c=1", title: "Handbook", unsupported: "the quoted words are not in this source" }],
      [9, { href: null, title: "No such source", unsupported: "no source [9] was given" }],
    ]);
    const tree = fromMarkdown("Cheese [1] and votes [9].");
    remarkCitations(marked)()(tree);
    const paragraph = tree.children[0];
    if (paragraph?.type !== "paragraph") throw new Error("expected a paragraph");
    const [, first, , second] = paragraph.children;
    expect(first).toMatchObject({ type: "emphasis", data: { hName: "mark", hProperties: { title: "Unsupported citation: the quoted words are not in this source" } } });
    expect(first?.type === "emphasis" && first.children[0]?.type).toBe("link");
    expect(second?.type === "emphasis" && second.children[0]).toEqual({ type: "text", value: "[9]" });
  });
});
