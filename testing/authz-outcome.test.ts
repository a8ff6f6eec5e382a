import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { authzOutcome } from "./authz-outcome";

const fromApp = (error: AppError) => error.toTRPC();

describe("reading one call of the authorization matrix", () => {
  it("counts refusals of the caller as denied", () => {
    expect(authzOutcome(new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in." })).outcome).toBe("denied");
    expect(authzOutcome(fromApp(new AppError("forbidden:project", "Viewers cannot."))).outcome).toBe("denied");
    expect(authzOutcome(fromApp(new AppError("not_found:project", "No such project."))).outcome).toBe("denied");
  });

  it("counts the domain's answers after the check as allowed", () => {
    expect(authzOutcome(fromApp(new AppError("quota_exceeded:member", "Spent."))).outcome).toBe("allowed");
    expect(authzOutcome(fromApp(new AppError("conflict:branch", "Moved."))).outcome).toBe("allowed");
    expect(authzOutcome(fromApp(new AppError("bad_request:quota", "Negative."))).outcome).toBe("allowed");
  });

  it("reports a broken case instead of counting it as allowed", () => {
    expect(authzOutcome(new TypeError("cannot read properties of undefined")).outcome).toBe("broken");
    expect(authzOutcome(new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "boom", cause: new Error("boom") })).outcome).toBe("broken");
    const schema = z.object({ projectId: z.uuid() }).safeParse({ projectId: "nope" });
    expect(authzOutcome(new TRPCError({ code: "BAD_REQUEST", message: "projectId: invalid", cause: schema.error })).outcome).toBe("broken");
    expect(authzOutcome(fromApp(new AppError("unavailable:model", "Down."))).outcome).toBe("broken");
  });
});
