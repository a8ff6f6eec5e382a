import { describe, expect, it } from "vitest";
import { checkCitations, quoteAppears } from "./citation-check";

const CHUNKS = ["Compost feeds soil microbes and keeps moisture in the ground.", "Mulch protects soil from erosion during heavy rain."];

describe("checking an answer's citations against the chunks it was given", () => {
  it("accepts numbers that exist and quotes that appear in their chunk", () => {
    const text = 'Compost helps [1]. As the notes put it, "Mulch protects soil from erosion" [2].';
    expect(checkCitations(text, CHUNKS)).toEqual([
      { number: 1, problem: null, quote: null },
      { number: 2, problem: null, quote: "Mulch protects soil from erosion" },
    ]);
  });

  it("marks a number the model was never given", () => {
    expect(checkCitations("Worms aerate the soil [3].", CHUNKS)).toEqual([{ number: 3, problem: "no_such_source", quote: null }]);
    expect(checkCitations("See [0].", CHUNKS)[0]?.problem).toBe("no_such_source");
  });

  it("marks a quote its chunk does not contain, even when the number exists", () => {
    const [verdict] = checkCitations('The vault says "compost is made of cheese" [1].', CHUNKS);
    expect(verdict).toEqual({ number: 1, problem: "quote_not_found", quote: "compost is made of cheese" });
  });

  it("a number is unsupported if any of its uses is", () => {
    const text = 'Compost helps [1]. Also "the moon is near" [1].';
    expect(checkCitations(text, CHUNKS)).toEqual([{ number: 1, problem: "quote_not_found", quote: "the moon is near" }]);
  });

  it("checks the vault responder's blockquotes, elided and with typographic quotes", () => {
    const text = "> Compost feeds soil microbes and keeps… [1]\n>\n> Mulch protects the sky. [2]\n\nSources: [1] Notes · [2] Notes";
    expect(checkCitations(text, CHUNKS)).toEqual([
      { number: 1, problem: null, quote: "Compost feeds soil microbes and keeps…" },
      { number: 2, problem: "quote_not_found", quote: "Mulch protects the sky." },
    ]);
    expect(quoteAppears("“COMPOST  feeds soil”", CHUNKS[0] ?? "")).toBe(true);
  });

  it("does not take a quote from an earlier sentence", () => {
    expect(checkCitations('You asked: "what is loam?". According to the sources, this is covered [1].', CHUNKS)).toEqual([{ number: 1, problem: null, quote: null }]);
  });
});
