import type { StreamPhase } from "@/lib/chat-protocol";

/** What the live answer says while the server reports each phase of its work. */
export const PHASE_LABEL: Record<StreamPhase, string> = {
  analyzing: "Reading your question…",
  retrieving: "Searching the vault…",
  generating: "Writing the answer…",
  verifying: "Checking the sources…",
};
