import "server-only";
import { index, integer, pgTable, real, text, uuid } from "drizzle-orm/pg-core";
import { adapters } from "./adapters";
import { users } from "./auth";
import { createdAt, id, ts, updatedAt } from "./columns";
import { projects } from "./projects";

export const AGENT_TIERS = ["auto", "local", "cloud"] as const;
export const AGENT_SCOPES = ["vault", "sources"] as const;

/**
 * A project's reusable assistant: its instructions, the tier and model it
 * answers with, temperature and maximum tokens, and the knowledge it may
 * draw on (the whole vault, or the sources in agent_sources). An answer keeps
 * a snapshot of these as used (messages.agent_snapshot), so editing or
 * archiving an agent never rewrites history.
 */
export const agents = pgTable(
  "agents",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    instructions: text("instructions").notNull().default(""),
    defaultTier: text("default_tier", { enum: AGENT_TIERS }).notNull().default("auto"),
    /** a model id of model_prices for the cloud tier; null = the project's default */
    defaultModel: text("default_model"),
    temperature: real("temperature"),
    maxTokens: integer("max_tokens"),
    scope: text("scope", { enum: AGENT_SCOPES }).notNull().default("vault"),
    /** the LoRA adapter this agent's local answers use (over the project's) */
    adapterId: uuid("adapter_id").references(() => adapters.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    /** archived agents are no longer offered; answers that used them keep their snapshot */
    archivedAt: ts("archived_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // the project's agent list
    index("agents_project_idx").on(t.projectId),
  ],
);
export type Agent = typeof agents.$inferSelect;

/** What an answer records of the agent it used, as it was at that moment. */
export type AgentSnapshot = {
  id: string;
  name: string;
  instructions: string;
  defaultTier: (typeof AGENT_TIERS)[number];
  defaultModel: string | null;
  temperature: number | null;
  maxTokens: number | null;
  scope: (typeof AGENT_SCOPES)[number];
  sourceIds: string[];
};
