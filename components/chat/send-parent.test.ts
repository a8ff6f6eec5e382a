import { describe, expect, it, vi } from "vitest";
import { parentForSend } from "./send-parent";

describe("the message a Send follows", () => {
  it("is the last message shown when the shown thread is the branch's own", async () => {
    const readBranch = vi.fn();
    expect(await parentForSend({ branchId: "b1", loaded: { branchId: "b1", lastMessageId: "m3" }, readBranch })).toBe("m3");
    expect(readBranch).not.toHaveBeenCalled();
  });

  it("right after Fork (the old branch still on screen) is the new branch's tip, read from the server", async () => {
    const readBranch = vi.fn(async () => ({ lastMessageId: "m1" }));
    expect(await parentForSend({ branchId: "fork", loaded: { branchId: "b1", lastMessageId: "m3" }, readBranch })).toBe("m1");
    expect(readBranch).toHaveBeenCalledWith("fork");
  });

  it("is read from the server while nothing is loaded yet, and is the root in a chat with no branch chosen", async () => {
    expect(await parentForSend({ branchId: "b2", loaded: null, readBranch: async () => ({ lastMessageId: null }) })).toBeNull();
    expect(await parentForSend({ branchId: null, loaded: null, readBranch: async () => ({ lastMessageId: "x" }) })).toBeNull();
  });
});
