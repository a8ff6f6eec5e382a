import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { Role } from "@/lib/roles";
import { encodeModelChoice, type ModelChoice } from "@/lib/model-choice";
import { requireReadyAdapter } from "@/server/adapters/selection";
import { requireProjectRole } from "@/server/projects/access";
import { requireLiveAgent } from "@/server/agents/agents";
import { assertUsableModel } from "@/server/ai/usable-model";
import { assertRole } from "@/server/projects/access";

type Row = { role: Role | null; earlier_chat_id: string | null; chat_id: string | null };
// (data-modifying CTEs run whether or not the final select reads them: branch, activity and touched always do their part)

/**
 * The chat the first turn of a new chat (POST /api/chat without a chatId)
 * writes to — the same checks as `chat.create` (editor or more, a cloud model
 * that is priced and not retired, a live agent of the project; "last active"
 * is renewed) — in ONE statement on the common path, because it sits before
 * the first token: the caller's role, an earlier attempt with this requestId
 * (a retry finds the chat its first attempt made, and makes no second one),
 * and, when both allow it, the chat, its Main branch and the activity entry.
 * The turn's choice (tier/model) and agent become the chat's, as the picker's
 * choice does when `chat.create` makes the chat; so does an adapter chosen
 * before the first message (a ready one of this project only).
 */
export async function createChatForTurn(
  db: Db,
  {
    projectId,
    userId,
    requestId,
    choice,
    agentId,
    adapterId = null,
  }: { projectId: string; userId: string; requestId: string; choice: ModelChoice | null; agentId: string | null; adapterId?: string | null },
): Promise<string> {
  // Only when asked for, so the usual new chat (Auto, no agent) costs no round trip for them.
  if (choice?.tier === "cloud") await assertUsableModel(db, choice.model, projectId);
  // The agent and adapter checks name what they find: only an editor may hear of them (one read, only when one is named).
  if (agentId || adapterId) await requireProjectRole(db, { projectId, userId, minimum: "editor" });
  if (agentId) await requireLiveAgent(db, { projectId, agentId });
  if (adapterId) await requireReadyAdapter(db, { projectId, adapterId });
  const chatId = randomUUID();
  const modelChoice = choice ? encodeModelChoice(choice) : null;
  const [row] = await queryRows<Row>(
    db,
    sql`with member as (
          select role from project_members where project_id = ${projectId} and user_id = ${userId}
        ),
        earlier as (
          select chat_id from chat_streams where started_by = ${userId} and request_id = ${requestId} limit 1
        ),
        allowed as (
          select 1 from member where role in ('editor', 'owner') and not exists (select 1 from earlier)
        ),
        chat as (
          insert into chats (id, project_id, created_by, model_choice, agent_id, adapter_id)
          select ${chatId}, ${projectId}, ${userId}, ${modelChoice}, ${agentId}, ${adapterId} from allowed
          returning id
        ),
        branch as (
          insert into branches (chat_id, title, created_by) select id, 'Main', ${userId} from chat returning id
        ),
        activity as (
          insert into activity_events (project_id, actor_id, verb, target_kind, target_id)
          select ${projectId}, ${userId}, 'created_chat', 'chat', id::text from chat returning id
        ),
        touched as (
          update project_members set last_active_at = now()
          where project_id = ${projectId} and user_id = ${userId}
            and role in ('editor', 'owner')
            and (last_active_at is null or last_active_at < now() - interval '5 minutes')
          returning 1
        )
      select (select role from member) as role, (select chat_id from earlier) as earlier_chat_id,
             (select id from chat) as chat_id`,
  );
  if (row?.earlier_chat_id) return row.earlier_chat_id;
  assertRole(row?.role ?? null, "editor");
  if (!row?.chat_id) throw new Error("the new chat was not written");
  return row.chat_id;
}

/** The choice a turn's body carries, as the chat will remember it (a cloud turn without a model: none). */
export function choiceOfTurn({ tier, model }: { tier: "auto" | "local" | "cloud"; model?: string | null }): ModelChoice | null {
  if (tier === "cloud") return model ? { tier: "cloud", model } : null;
  return { tier };
}
