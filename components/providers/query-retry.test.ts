import { describe, expect, it } from "vitest";
import { retryQuery } from "./query-retry";

/** A tRPC client error as the browser sees it: message, plus the data our errorFormatter adds. */
const trpcError = (message: string, data: { code: string; appCode?: string | null }) => Object.assign(new Error(message), { data });

describe("which failed queries are asked again", () => {
  it("decides on the error's code, not on its words", () => {
    // refusals are answers: the same question gets the same answer
    expect(retryQuery(0, trpcError("This chat was deleted.", { code: "NOT_FOUND", appCode: "gone:chat" }))).toBe(false);
    expect(retryQuery(0, trpcError("Only owners can see billing.", { code: "FORBIDDEN", appCode: "forbidden:billing" }))).toBe(false);
    expect(retryQuery(0, trpcError("Your session ended.", { code: "UNAUTHORIZED" }))).toBe(false);
    expect(retryQuery(0, trpcError("title: too long", { code: "BAD_REQUEST" }))).toBe(false);
    // failures may pass: the words do not matter
    expect(retryQuery(0, trpcError("The model was not found upstream; try again", { code: "INTERNAL_SERVER_ERROR", appCode: "unavailable:model" }))).toBe(true);
    expect(retryQuery(0, trpcError("Something went wrong on our side.", { code: "INTERNAL_SERVER_ERROR" }))).toBe(true);
    expect(retryQuery(0, new TypeError("Failed to fetch"))).toBe(true);
  });

  it("gives up after two retries", () => {
    expect(retryQuery(2, new TypeError("Failed to fetch"))).toBe(false);
  });
});
