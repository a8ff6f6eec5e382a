import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type EscalationPolicy, type ProjectSettings, projects, providerKeys } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";

export const CLOUD_HOW_TO =
  "To use Claude, either set ANTHROPIC_API_KEY on the server (the platform key, billed through Arbor), " +
  "or have the project owner add their own Anthropic key under Billing → Your own key (BYOK).";

/** The project's payer (its owner) holds a BYOK key, or the server has the platform key. */
export async function cloudConfigured(db: Db, { projectId }: { projectId: string }): Promise<boolean> {
  if (getEnv().ANTHROPIC_API_KEY) return true;
  const [row] = await db
    .select({ id: providerKeys.id })
    .from(providerKeys)
    .innerJoin(projects, eq(projects.ownerId, providerKeys.userId))
    .where(and(eq(projects.id, projectId), eq(providerKeys.provider, "anthropic")))
    .limit(1);
  return Boolean(row);
}

export async function escalationStatus(
  db: Db,
  { projectId, settings }: { projectId: string; settings: ProjectSettings },
): Promise<{ cloudConfigured: boolean; howTo: string; policy: EscalationPolicy }> {
  const configured = await cloudConfigured(db, { projectId });
  return {
    cloudConfigured: configured,
    howTo: configured ? "Claude is available: press Escalate on an answer, or set the project's policy to auto or cloud in Settings." : CLOUD_HOW_TO,
    policy: settings.escalationPolicy ?? "manual",
  };
}

export function cloudNotConfiguredError(): AppError {
  return new AppError("bad_request:cloud_not_configured", `Claude is not configured yet. ${CLOUD_HOW_TO}`);
}
