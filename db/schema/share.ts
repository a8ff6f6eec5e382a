import "server-only";
import { index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { branches, chats } from "./chat";
import { createdAt, id, ts } from "./columns";
import { projects } from "./projects";

export const SHARE_MODES = ["live", "snapshot"] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

/** One message as a share shows it; a snapshot freezes these at the moment of sharing. */
export type SharedMessage = {
  id: string;
  parentId: string | null;
  role: "user" | "assistant";
  content: string;
  status: string;
  tier: string | null;
  model: string | null;
  createdAt: string;
};

/**
 * Read-only share links (docs/sharing.md). Like invites, only the token's
 * SHA-256 and a short hint are kept. `branchId` null shares the whole chat
 * tree; `snapshot` holds the frozen messages of a snapshot share.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    id: id(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    chatId: uuid("chat_id")
      .notNull()
      .references(() => chats.id, { onDelete: "cascade" }),
    branchId: uuid("branch_id").references(() => branches.id, { onDelete: "cascade" }),
    mode: text("mode", { enum: SHARE_MODES }).notNull(),
    snapshot: jsonb("snapshot").$type<{ messages: SharedMessage[]; tipId: string | null }>(),
    tokenHash: text("token_hash").notNull(),
    tokenHint: text("token_hint").notNull(),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: ts("expires_at"),
    revokedAt: ts("revoked_at"),
    lastViewedAt: ts("last_viewed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // /share/<token>
    uniqueIndex("share_links_token_idx").on(t.tokenHash),
    // the owner's list of open links
    index("share_links_project_idx").on(t.projectId, t.createdAt),
  ],
);
export type ShareLink = typeof shareLinks.$inferSelect;
