import "server-only";
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { ROLES } from "../../lib/roles";
import { users } from "./auth";
import { createdAt, id, micros, ts, updatedAt } from "./columns";


export const ESCALATION_POLICIES = ["manual", "auto", "cloud"] as const;
export type EscalationPolicy = (typeof ESCALATION_POLICIES)[number];

export type ProjectSettings = {
  escalationPolicy: EscalationPolicy;
  /** a model id from model_prices; null = the default cloud model */
  defaultCloudModel: string | null;
  systemPrompt: string;
  constraints: string;
  /** the LoRA adapter the project's local answers use unless an agent or chat picks another (absent = none) */
  adapterId?: string | null;
};

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  escalationPolicy: "manual",
  defaultCloudModel: null,
  systemPrompt: "",
  constraints: "",
};

export const projects = pgTable(
  "projects",
  {
    id: id(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    icon: text("icon").notNull().default("🌳"),
    status: text("status", { enum: ["active", "archived"] }).notNull().default("active"),
    storageQuotaBytes: bigint("storage_quota_bytes", { mode: "number" }).notNull().default(1_073_741_824),
    storageUsedBytes: bigint("storage_used_bytes", { mode: "number" }).notNull().default(0),
    settings: jsonb("settings").$type<ProjectSettings>().notNull().default(DEFAULT_PROJECT_SETTINGS),
    /** how long the owner's request log keeps a call (server/request-logs/) */
    requestLogDays: integer("request_log_days").notNull().default(30),
    /** the owner opted in to keeping each call's request and response bodies (redacted) in the request log; off by default */
    requestLogBodies: boolean("request_log_bodies").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("projects_owner_idx").on(t.ownerId)],
);
export type Project = typeof projects.$inferSelect;

/** The owner has a row here too (role owner), so "my projects" is one query. */
export const projectMembers = pgTable(
  "project_members",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    /** null = no personal cap (the owner); otherwise the member's cloud-spend cap */
    quotaMicros: micros("quota_micros"),
    joinedAt: createdAt(),
    lastActiveAt: ts("last_active_at"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.userId] }),
    // the dashboard: projects I belong to
    index("project_members_user_idx").on(t.userId),
  ],
);
export type ProjectMember = typeof projectMembers.$inferSelect;

/**
 * What each person has spent (and holds) in a project, whoever paid, kept
 * apart from the membership so it survives leaving, removal and rejoining:
 * a quota caps the total, not what was spent since the last join. A removal
 * is recorded here too, so a link made before it cannot bring the person back.
 */
export const memberSpend = pgTable(
  "member_spend",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    spentMicros: micros("spent_micros").notNull().default(sql`0`),
    /** held by open reservations, so concurrent requests cannot pass the quota together */
    reservedMicros: micros("reserved_micros").notNull().default(sql`0`),
    /** the owner last removed this person (a link older than this cannot bring them back) */
    removedAt: ts("removed_at"),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);
