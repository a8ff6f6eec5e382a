"use client";

import "highlight.js/styles/github.css";
import "./markdown.css";
import Link from "next/link";
import { memo, useMemo } from "react";
import Markdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { linkTarget, textShowsTarget } from "./link-target";
import { type CitationLink, remarkCitations } from "./remark-citations";

// No rehype-raw: HTML written by a model or a member is never turned into DOM.
// react-markdown's default urlTransform drops javascript: and other unsafe URLs; linkTarget judges the rest.
const EXTERNAL_REL = "noopener noreferrer nofollow ugc";

const components: Components = {
  a({ node, href, title, children }) {
    const target = linkTarget(href);
    // A linked image ([![alt](src)](href)) shows as the link's words: an image is never loaded, and links never nest.
    const image = node?.children.find((child) => child.type === "element" && child.tagName === "img");
    const words = image && image.type === "element" ? `Image: ${String(image.properties.alt ?? "") || "untitled"}` : children;
    if (target.kind === "unsafe") return <span>{words}</span>;
    if (target.kind === "internal") {
      return (
        <Link href={target.path} title={title} className="chat-link">
          {words}
        </Link>
      );
    }
    const shown = typeof words === "string" ? words : textOf(node);
    return (
      <a href={target.href} title={target.href} target="_blank" rel={EXTERNAL_REL} className="chat-link">
        {words}
        {textShowsTarget(shown, target) ? null : <span className="chat-link-host">({target.host})</span>}
      </a>
    );
  },
  // Remote images are never loaded: a pasted note or a fetched page would turn into a tracking pixel
  // or a way to send what the answer says to someone else's server. The image is a link instead.
  img({ src, alt }) {
    const target = linkTarget(typeof src === "string" ? src : null);
    const label = `Image: ${alt || "untitled"}`;
    if (target.kind === "unsafe") return <span className="chat-image-link">{label}</span>;
    const href = target.kind === "internal" ? target.path : target.href;
    return (
      <a href={href} title={href} target="_blank" rel={EXTERNAL_REL} className="chat-link chat-image-link">
        {label}
        <span className="chat-link-host">({target.kind === "internal" ? "this site" : target.host}, not loaded)</span>
      </a>
    );
  },
};

/** The words of a hast node, to compare a link's text with its target. */
function textOf(node: { type: string; value?: string; children?: unknown[] } | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value ?? "";
  return (node.children ?? []).map((child) => textOf(child as Parameters<typeof textOf>[0])).join("");
}

function MarkdownView({ text, citations }: { text: string; citations?: ReadonlyMap<number, CitationLink> }) {
  const remarkPlugins = useMemo(() => [remarkGfm, remarkCitations(citations ?? new Map())], [citations]);
  return (
    <div className="chat-markdown">
      <Markdown remarkPlugins={remarkPlugins} rehypePlugins={[rehypeHighlight]} components={components}>
        {text}
      </Markdown>
    </div>
  );
}

export const MessageMarkdown = memo(MarkdownView);
