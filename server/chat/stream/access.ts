import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { DEFAULT_PROJECT_SETTINGS, type ProjectSettings } from "@/db/schema";
import type { Role } from "@/lib/roles";
import type { Preferences } from "@/server/ai/context";
import { type CloudHoldFacts, cloudHoldFactsFrom, cloudHoldFactsSql, wantedModelSql } from "@/server/billing/hold-facts";
import { AppError } from "@/server/errors";
import { assertRole } from "@/server/projects/access";
import { type TurnInput, type TurnTarget, turnTargetFrom, turnTargetSql } from "../turns";

export type TurnAccess = {
  projectId: string;
  settings: ProjectSettings;
  /** the stream this (person, requestId) already started, if any: the request is a retry */
  existingStreamId: string | null;
  preferences: Preferences;
  /** the project has ready sources, so retrieval can find something */
  hasSources: boolean;
  /** for a cloud turn: what its budget hold depends on (who pays, at which tier, the model's price) */
  cloud: CloudHoldFacts | null;
  /** the branch the turn writes to and the message it follows (null = no such branch) */
  target: TurnTarget | null;
  /** the agent the chat's turns use by default (null = none) */
  chatAgentId: string | null;
};

type Row = {
  project_id: string;
  settings: Partial<ProjectSettings> | null;
  role: Role | null;
  existing_stream_id: string | null;
  language: string | null;
  verbosity: Preferences["verbosity"] | null;
  tone: Preferences["tone"] | null;
  has_sources: boolean;
  cloud_facts: unknown;
  turn_target: unknown;
  chat_agent_id: string | null;
};

const DEFAULT_PREFERENCES: Preferences = { language: "en", verbosity: "normal", tone: "neutral" };

/**
 * Everything POST /api/chat must know before it admits a turn, in ONE round
 * trip (it sits on the path to the first token): the chat's project, the
 * caller's role in it (editor or more), an earlier stream with this
 * requestId, the caller's answer preferences, whether the vault has anything
 * to search, the turn's branch and the message it follows, and — for a cloud
 * turn — the budget facts (`cloud.model` is the model asked for; null = the
 * project's, then the server's default).
 * Plain SQL, not the query builder: building a query is CPU on the thread
 * that streams the answer.
 */
export async function loadTurnAccess(
  db: Db,
  {
    chatId,
    userId,
    requestId,
    turn,
    cloud,
  }: { chatId: string; userId: string; requestId: string; turn: Pick<TurnInput, "branchId" | "parentId" | "answerTo">; cloud: { model: string | null } | null },
): Promise<TurnAccess> {
  const facts = cloud ? sql`${cloudHoldFactsSql(sql`p.owner_id`, wantedModelSql(cloud.model, sql`p.settings->>'defaultCloudModel'`))}` : sql`null`;
  const [row] = await queryRows<Row>(
    db,
    sql`select c.project_id, p.settings, m.role, s.id as existing_stream_id, up.language, up.verbosity, up.tone,
          exists (select 1 from sources src where src.project_id = c.project_id and src.status = 'ready') as has_sources,
          ${facts} as cloud_facts,
          ${turnTargetSql({ chatId, ...turn })} as turn_target, c.agent_id as chat_agent_id
        from chats c
        join projects p on p.id = c.project_id
        left join project_members m on m.project_id = c.project_id and m.user_id = ${userId}
        left join chat_streams s on s.started_by = ${userId} and s.request_id = ${requestId}
        left join user_preferences up on up.user_id = ${userId}
        where c.id = ${chatId} and c.trash_id is null
        limit 1`,
  );
  if (!row) throw new AppError("not_found:chat", "This chat does not exist (it may have been deleted).");
  assertRole(row.role, "editor");
  const { language, verbosity, tone } = row;
  return {
    projectId: row.project_id,
    settings: { ...DEFAULT_PROJECT_SETTINGS, ...row.settings },
    existingStreamId: row.existing_stream_id,
    preferences: language && verbosity && tone ? { language, verbosity, tone } : DEFAULT_PREFERENCES,
    hasSources: Boolean(row.has_sources),
    cloud: cloud ? cloudHoldFactsFrom(row.cloud_facts) : null,
    target: turnTargetFrom(row.turn_target, chatId),
    chatAgentId: row.chat_agent_id,
  };
}
