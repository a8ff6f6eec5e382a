import { describe, expect, it } from "vitest";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import { buildCloudContext } from "./context";
import { decideTier, LOW_CONFIDENCE } from "./policy";
import { heuristicTitle, titleFromReply } from "./titles";
import { composeVaultAnswer, pieces } from "./vault-responder";

const chunk = (text: string, relevance: number, title = "Guide"): RetrievedChunk => ({
  chunkId: `c-${relevance}`,
  sourceId: "s",
  sourceTitle: title,
  ordinal: 0,
  heading: null,
  text,
  relevance,
});

describe("vault responder", () => {
  it("says plainly that the vault has nothing and points at Escalate", () => {
    const answer = composeVaultAnswer("What is the holiday policy?", []);
    expect(answer.cited).toEqual([]);
    expect(answer.text).toMatch(/couldn't find anything/);
    expect(answer.text).toMatch(/Escalate/);
    expect(answer.text).not.toMatch(/as an AI|language model/i);
  });

  it("quotes the sentences that share the question's words, citing each chunk by its number", () => {
    const answer = composeVaultAnswer("How many holiday days do employees get?", [
      chunk("Employees get 25 holiday days a year. Unused days expire in March. The office has a kitchen.", 0.8, "Handbook"),
      chunk("Parking is free for holiday visitors.", 0.3, "Parking"),
    ]);
    expect(answer.text).toContain("> Employees get 25 holiday days a year. [1]");
    expect(answer.text).not.toContain("kitchen");
    expect(answer.text).toContain("[1] Handbook");
    expect(answer.cited).toEqual([1, 2]);
    expect(pieces(answer.text).join("")).toBe(answer.text);
  });
});

describe("escalation policy", () => {
  const base = { topRelevance: 0.9, cloudConfigured: true };
  it("follows an explicit choice, else the project policy", () => {
    expect(decideTier({ ...base, requested: "cloud", policy: "manual" }).tier).toBe("cloud");
    expect(decideTier({ ...base, requested: "local", policy: "cloud" }).tier).toBe("local");
    expect(decideTier({ ...base, requested: "auto", policy: "manual" }).tier).toBe("local");
    expect(decideTier({ ...base, requested: "auto", policy: "cloud" }).tier).toBe("cloud");
  });
  it("auto escalates on low retrieval confidence, only when a key is configured", () => {
    expect(decideTier({ requested: "auto", policy: "auto", topRelevance: LOW_CONFIDENCE - 0.01, cloudConfigured: true }).tier).toBe("cloud");
    expect(decideTier({ requested: "auto", policy: "auto", topRelevance: LOW_CONFIDENCE, cloudConfigured: true }).tier).toBe("local");
    expect(decideTier({ requested: "auto", policy: "auto", topRelevance: 0, cloudConfigured: false })).toMatchObject({ tier: "local", reason: expect.stringMatching(/no cloud key/) });
  });
});

describe("cloud context", () => {
  it("carries instructions, constraints, preferences and numbered sources; turns alternate from the user", () => {
    const ctx = buildCloudContext({
      settings: { systemPrompt: "Be a gardener.", constraints: "No pesticides." },
      preferences: { language: "fr", verbosity: "detailed", tone: "formal" },
      history: [
        { role: "assistant", content: "orphan answer" },
        { role: "user", content: "a" },
        { role: "user", content: "b" },
        { role: "assistant", content: "" },
      ],
      question: "q",
      chunks: [chunk("Text one", 0.71, "Doc")],
    });
    expect(ctx.system).toContain("Be a gardener.");
    expect(ctx.system).toContain("No pesticides.");
    expect(ctx.system).toContain('language "fr"');
    expect(ctx.system).toContain("[1] Doc (relevance 0.71)\nText one");
    expect(ctx.messages).toEqual([{ role: "user", content: "a\n\nb\n\nq" }]);
  });
});

describe("titles", () => {
  it("makes a local model's reply a title: first line, no label, quotes, markdown or final stop", () => {
    expect(titleFromReply('Title: "Basil care indoors."')).toBe("Basil care indoors");
    expect(titleFromReply("**Compost 101**\nThis title sums up the chat.")).toBe("Compost 101");
    expect(titleFromReply("  «Pruning roses»  ")).toBe("Pruning roses");
    expect(titleFromReply("word ".repeat(40))?.length).toBeLessThanOrEqual(60);
    expect(titleFromReply(' "" ')).toBeNull();
    expect(titleFromReply("")).toBeNull();
  });

  it("titles a chat from its first sentence without greetings, at no cost", () => {
    expect(heuristicTitle("Hello there, how do I prune roses? I have three bushes.")).toBe("How do I prune roses");
    expect(heuristicTitle("   ")).toBe("New chat");
    expect(heuristicTitle("x".repeat(200)).length).toBeLessThanOrEqual(60);
    expect(heuristicTitle("Please summarise the attached quarterly report for the board meeting next Tuesday morning")).toBe(
      "Summarise the attached quarterly report for the board",
    );
  });
});
