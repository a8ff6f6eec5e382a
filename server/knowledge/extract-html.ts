import "server-only";
import { type FormatCallback, htmlToText } from "html-to-text";

/** Headings become markdown headings so the chunker can follow the document's structure. */
const heading: FormatCallback = (elem, walk, builder, options) => {
  const level = Number(String(elem.name).slice(1)) || 1;
  builder.openBlock({ leadingLineBreaks: options.leadingLineBreaks ?? 2 });
  builder.addInline(`${"#".repeat(level)} `);
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: options.trailingLineBreaks ?? 2 });
};

const SKIP = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "head", "img", "video", "audio", "form", "button", "input", "select", "textarea"];

/**
 * HTML → plain text. The markup is parsed, never rendered or executed:
 * scripts, styles and embedded content are dropped, links keep only their
 * words, and the viewer shows only this text.
 */
export function extractHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    formatters: { mdHeading: heading },
    selectors: [
      ...SKIP.map((selector) => ({ selector, format: "skip" })),
      ...[1, 2, 3, 4, 5, 6].map((n) => ({ selector: `h${n}`, format: "mdHeading" })),
      { selector: "a", options: { ignoreHref: true } },
      { selector: "table", format: "dataTable" },
    ],
    limits: { maxInputLength: 20_000_000 },
  })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
