import { describe, expect, it } from "vitest";
import { extractText } from "./extract";
import { makeDocx } from "@/testing/documents/make-docx";
import { makePdf } from "@/testing/documents/make-pdf";
import { KIND_MEDIA_TYPE } from "./media-type";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("extractText", () => {
  it("reads the text of a PDF, page by page", async () => {
    const pdf = makePdf([["Orchard notes", "Apples need cross-pollination."], ["Page two talks about pears."]]);
    const { text, format } = await extractText(pdf, KIND_MEDIA_TYPE.pdf);
    expect(format).toBe("plain");
    expect(text).toContain("Orchard notes");
    expect(text).toContain("Apples need cross-pollination.");
    expect(text).toMatch(/cross-pollination\.[\s\S]*\n\nPage two talks about pears\./);
  });

  it("fails a corrupt or fake PDF with a plain reason", async () => {
    await expect(extractText(utf8("%PDF-1.4\nthis is not really a pdf at all"), KIND_MEDIA_TYPE.pdf)).rejects.toThrow(/damaged|not a valid PDF|no text/i);
    await expect(extractText(utf8("hello, I am text"), KIND_MEDIA_TYPE.pdf)).rejects.toThrow(/not a PDF/);
    const truncated = makePdf([["Some words here"]]).slice(0, 120);
    await expect(extractText(truncated, KIND_MEDIA_TYPE.pdf)).rejects.toThrow(/PDF/);
  });

  it("reads a DOCX with its headings as markdown headings", async () => {
    const docx = await makeDocx([{ heading: "Watering" }, { text: "Water deeply, once a week." }, { text: "Mulch keeps moisture in." }]);
    const { text, format } = await extractText(docx, KIND_MEDIA_TYPE.docx);
    expect(format).toBe("markdown");
    expect(text).toBe("# Watering\n\nWater deeply, once a week.\n\nMulch keeps moisture in.");
    await expect(extractText(utf8("PK\u0003\u0004garbage"), KIND_MEDIA_TYPE.docx)).rejects.toThrow(/damaged/);
    await expect(extractText(utf8("plain"), KIND_MEDIA_TYPE.docx)).rejects.toThrow(/not a Word document/);
  });

  it("turns HTML into text without scripts, styles or handlers", async () => {
    const html = `<html><head><title>T</title><style>body{color:red}</style><script>alert("pwned")</script></head>
      <body onload="steal()"><h2>Bees</h2><p>Bees <b>love</b> <a href="javascript:evil()">clover</a>.</p>
      <script>document.write("injected")</script><noscript>enable js</noscript><img src=x onerror="boom()"></body></html>`;
    const { text, format } = await extractText(utf8(html), KIND_MEDIA_TYPE.html);
    expect(format).toBe("markdown");
    expect(text).toBe("## Bees\n\nBees love clover.");
    expect(text).not.toMatch(/alert|pwned|injected|steal|javascript|boom|color/);
  });

  it("accepts UTF-8 text, markdown, CSV and JSON", async () => {
    expect((await extractText(utf8("\uFEFFHéllo wörld\r\nline two"), KIND_MEDIA_TYPE.text)).text).toBe("Héllo wörld\nline two");
    expect((await extractText(utf8("# Title\n\nBody"), KIND_MEDIA_TYPE.markdown)).format).toBe("markdown");
    expect((await extractText(utf8("a,b\n1,2"), KIND_MEDIA_TYPE.csv)).format).toBe("csv");
    expect((await extractText(utf8('{"a":[1,2]}'), KIND_MEDIA_TYPE.json)).text).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    await expect(extractText(utf8("{nope"), KIND_MEDIA_TYPE.json)).rejects.toThrow(/not valid JSON/);
  });

  it("refuses binary content named .txt and empty files", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    await expect(extractText(png, KIND_MEDIA_TYPE.text)).rejects.toThrow(/binary data/);
    const latin1Noise = new Uint8Array(Array.from({ length: 400 }, (_, i) => 0x80 + (i % 100)));
    await expect(extractText(latin1Noise, KIND_MEDIA_TYPE.text)).rejects.toThrow(/not readable UTF-8/);
    await expect(extractText(new Uint8Array(), KIND_MEDIA_TYPE.text)).rejects.toThrow(/empty/);
    await expect(extractText(utf8("   \n  "), KIND_MEDIA_TYPE.text)).rejects.toThrow(/No text/);
  });
});
