import { describe, expect, it } from "vitest";
import { ERROR_KINDS, errorMessage, kindOf, statusOf } from "./errors";

describe("the error vocabulary", () => {
  it("maps a code's kind to its HTTP status, and anything unknown to 500", () => {
    expect(statusOf("not_found:chat")).toBe(404);
    expect(statusOf("too_large:file_size")).toBe(413);
    expect(statusOf("quota_exceeded:member")).toBe(402);
    expect(statusOf("internal:server")).toBe(500);
    expect(statusOf("toString:x")).toBe(500);
    expect(statusOf(null)).toBe(500);
    expect(kindOf("rate_limited:sign_in")).toBe("rate_limited");
  });

  it("gives every kind a tRPC code tRPC knows", () => {
    const known = ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR"];
    for (const { trpc } of Object.values(ERROR_KINDS)) expect(known).toContain(trpc);
  });

  it("shows the server's message, or a plain fallback", () => {
    expect(errorMessage(new Error("Only owners can do this."))).toBe("Only owners can do this.");
    expect(errorMessage("nope", "Could not save.")).toBe("Could not save.");
  });
});
