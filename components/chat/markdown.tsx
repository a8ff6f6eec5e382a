"use client";

import "highlight.js/styles/github.css";
import "./markdown.css";
import Link from "next/link";
import { memo, useMemo } from "react";
import Markdown, { type Components } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { type CitationLink, remarkCitations } from "./remark-citations";

// No rehype-raw: HTML written by a model or a member is never turned into DOM.
// react-markdown's default urlTransform drops javascript: and other unsafe URLs.
const components: Components = {
  a({ href, title, children }) {
    if (href?.startsWith("/")) {
      return (
        <Link href={href} title={title} className="chat-link">
          {children}
        </Link>
      );
    }
    return (
      <a href={href} title={title} target="_blank" rel="noopener noreferrer nofollow ugc" className="chat-link">
        {children}
      </a>
    );
  },
};

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
