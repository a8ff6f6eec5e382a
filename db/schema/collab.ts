import "server-only";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { INVITE_ROLES } from "../../lib/roles";
import { users } from "./auth";
import { createdAt, id, micros, ts, updatedAt } from "./columns";
import { projects } from "./projects";

/** Invite links. Only the token's SHA-256 and a short hint are kept. */
export const invites = pgTable(
  "invites",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    hostId: uuid("host_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    tokenHint: text("token_hint").notNull(),
    role: text("role", { enum: INVITE_ROLES }).notNull(),
    quotaMicros: micros("quota_micros").notNull(),
    expiresAt: ts("expires_at").notNull(),
    maxUses: integer("max_uses"),
    uses: integer("uses").notNull().default(0),
    email: text("email"),
    revokedAt: ts("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("invites_token_idx").on(t.tokenHash), index("invites_project_idx").on(t.projectId)],
);

export const HANDOVER_STATES = ["pending", "email_sent", "accepted", "completed", "expired", "cancelled", "declined"] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

export type HandoverSnapshot = {
  title: string;
  chats: number;
  messages: number;
  sources: number;
  sizeBytes: number;
  /** handovers started before the registry existed carry a note here instead of a list */
  adapters?: string;
  /** the project's adapters when the handover started (server/handover/start.ts) */
  adapterList?: Array<{ name: string; baseModel: string; sizeBytes: number; rank: number | null; status: string }>;
};

export const handovers = pgTable(
  "handovers",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    fromUserId: uuid("from_user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    toEmail: text("to_email").notNull(),
    toUserId: uuid("to_user_id").references(() => users.id, { onDelete: "set null" }),
    tokenHash: text("token_hash").notNull(),
    includeKnowledge: boolean("include_knowledge").notNull().default(true),
    includeAdapters: boolean("include_adapters").notNull().default(true),
    previousOwnerLeaves: boolean("previous_owner_leaves").notNull().default(false),
    message: text("message").notNull().default(""),
    snapshot: jsonb("snapshot").$type<HandoverSnapshot>().notNull(),
    firstYearPriceMicros: micros("first_year_price_micros").notNull(),
    regularPriceMicros: micros("regular_price_micros").notNull(),
    state: text("state", { enum: HANDOVER_STATES }).notNull().default("pending"),
    expiresAt: ts("expires_at").notNull(),
    emailSentAt: ts("email_sent_at"),
    acceptedAt: ts("accepted_at"),
    completedAt: ts("completed_at"),
    cancelledAt: ts("cancelled_at"),
    /** the recipient said no: the project stays where it is */
    declinedAt: ts("declined_at"),
    /** the project that keeps what the handover excluded */
    residualProjectId: uuid("residual_project_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("handovers_token_idx").on(t.tokenHash), index("handovers_project_idx").on(t.projectId)],
);
