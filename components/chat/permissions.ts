import { ROLE_CAN, type Role, roleAtLeast } from "@/lib/roles";
import type { ChatPermissions } from "./types";

export function chatPermissions(role: Role): { permissions: ChatPermissions; readOnlyReason: string | null } {
  const canWrite = roleAtLeast(role, "editor");
  return {
    permissions: { role, canWrite, canGiveFeedback: roleAtLeast(role, "commenter") },
    readOnlyReason: canWrite
      ? null
      : `You are a ${role} in this project: you can ${ROLE_CAN[role]}, but not send messages. Ask the owner for editor access.`,
  };
}
