import { describe, expect, it } from "vitest";
import { decodeModelChoice, encodeModelChoice, requestFieldsOf } from "./model-choice";

describe("model choice text", () => {
  it("round-trips every kind of choice", () => {
    for (const choice of [{ tier: "auto" }, { tier: "local" }, { tier: "cloud", model: "claude-haiku-5-5" }] as const) {
      expect(decodeModelChoice(encodeModelChoice(choice))).toEqual(choice);
    }
  });

  it("reads nothing, an empty cloud id or unknown text as Auto", () => {
    expect(decodeModelChoice(null)).toEqual({ tier: "auto" });
    expect(decodeModelChoice("cloud:")).toEqual({ tier: "auto" });
    expect(decodeModelChoice("gpt")).toEqual({ tier: "auto" });
  });

  it("names the model only for the cloud tier (POST /api/chat refuses a model otherwise)", () => {
    expect(requestFieldsOf({ tier: "local" })).toEqual({ tier: "local" });
    expect(requestFieldsOf({ tier: "cloud", model: "m" })).toEqual({ tier: "cloud", model: "m" });
  });
});
