import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { AppError } from "@/server/errors";
import type { TurnTarget } from "./turns";

/** The second branch of a merge as the turn writes it: its tip becomes the merge's second parent. */
export type MergeSide = { branchId: string; title: string; tipMessageId: string };

/** Both branches of a merge, checked: what the turn's statement marks `merged` and the context reads. */
export type MergePlan = { first: MergeSide; second: MergeSide };

type SecondRow = { id: string; title: string; tip_message_id: string | null; tip_status: string | null; tip_deleted: boolean | null };

/**
 * Checks a merge before anything is written: two different branches of the
 * same chat, each with a finished tip, the first one's tip the message the
 * merge follows, and neither line already inside the other (a branch merged
 * with its own ancestor — or descendant — would join a line with itself).
 * Ancestry follows both parent pointers, so an earlier merge counts. Two
 * statements; a merge is rare and not on the hot path of a Send.
 */
export async function planMerge(
  db: Db,
  { chatId, target, parentId, secondBranchId }: { chatId: string; target: TurnTarget | null; parentId: string | null | undefined; secondBranchId: string },
): Promise<MergePlan> {
  if (!target) throw new AppError("not_found:branch", "The first branch of this merge is not part of this chat.");
  const { branch, anchor } = target;
  if (branch.id === secondBranchId) throw new AppError("bad_request:merge_same_branch", "Pick two different branches to merge; a branch cannot be merged with itself.");
  if (!branch.tipMessageId || !parentId || parentId !== branch.tipMessageId || !anchor) {
    throw new AppError("conflict:merge_moved", `"${branch.title}" has moved on since you picked it. Open the merge again to pick its newest message.`);
  }
  tipUsable(branch.title, anchor.status, anchor.deleted);

  const [second] = await queryRows<SecondRow>(
    db,
    sql`select b.id, b.title, b.tip_message_id, t.status as tip_status, t.deleted_at is not null as tip_deleted
        from branches b left join messages t on t.id = b.tip_message_id and t.chat_id = b.chat_id
        where b.id = ${secondBranchId} and b.chat_id = ${chatId}`,
  );
  if (!second) throw new AppError("not_found:branch", "The second branch is not part of this chat. Only two branches of the same chat can be merged.");
  if (!second.tip_message_id || second.tip_status === null) throw new AppError("bad_request:merge_empty", `"${second.title}" has no messages yet, so there is nothing to merge.`);
  tipUsable(second.title, second.tip_status, Boolean(second.tip_deleted));
  const firstTip = branch.tipMessageId;
  const secondTip = second.tip_message_id;
  if (firstTip === secondTip) {
    throw new AppError("bad_request:merge_same_tip", `"${branch.title}" and "${second.title}" end at the same message, so there is nothing to merge.`);
  }

  const [ancestry] = await queryRows<{ first_has_second: boolean; second_has_first: boolean }>(
    db,
    sql`select ${containsSql(chatId, firstTip, secondTip)} as first_has_second, ${containsSql(chatId, secondTip, firstTip)} as second_has_first`,
  );
  if (ancestry?.first_has_second) {
    throw new AppError(
      "bad_request:merge_ancestor",
      `"${second.title}" ends at an earlier message of "${branch.title}" (its own ancestor), so it adds nothing to merge. Continue "${branch.title}" instead.`,
    );
  }
  if (ancestry?.second_has_first) {
    throw new AppError(
      "bad_request:merge_ancestor",
      `"${branch.title}" ends at an earlier message of "${second.title}" (its own ancestor), so it adds nothing to merge. Continue "${second.title}" instead.`,
    );
  }
  return {
    first: { branchId: branch.id, title: branch.title, tipMessageId: firstTip },
    second: { branchId: second.id, title: second.title, tipMessageId: secondTip },
  };
}

function tipUsable(title: string, status: string | null, deleted: boolean) {
  if (deleted) throw new AppError("gone:message", `The newest message of "${title}" was deleted, so the branch cannot be merged.`);
  if (status === "streaming") throw new AppError("conflict:streaming", `An answer is still being written on "${title}". Wait for it to finish, then merge.`);
}

/** Whether `ancestorId` is `descendantId` or above it, over both parent pointers (a scalar SQL expression). */
function containsSql(chatId: string, descendantId: string, ancestorId: string) {
  return sql`(with recursive up(id) as (
      select id from messages where id = ${descendantId} and chat_id = ${chatId}
      union
      select v.id from up
      cross join lateral (select parent_id, merge_parent_id from messages where id = up.id and chat_id = ${chatId}) p
      cross join lateral (values (p.parent_id), (p.merge_parent_id)) v(id)
      where v.id is not null
    ) select exists (select 1 from up where id = ${ancestorId}))`;
}

/** The title of the branch a merge's answer continues on. */
export function mergeBranchTitle(plan: MergePlan): string {
  return `Merge of ${plan.first.title} and ${plan.second.title}`.slice(0, 120);
}

/** The two branches a merge message joins, as the thread and the export name them (null = the line has no branch any more). */
export type MergeJoin = { first: { branchId: string; title: string } | null; second: { branchId: string; title: string } | null };

/**
 * Which branches a merge joins, found from its two parents: the branch whose
 * tip is that parent (the merged branch, unless it moved on), else the most
 * recent branch that contains it — never `except` (the branch being read,
 * which contains the first parent too). Nothing is stored for it, so a
 * renamed branch shows its new name.
 */
export async function mergeJoinsOf(
  db: Db,
  { chatId, merges, except }: { chatId: string; merges: Array<{ id: string; parentId: string | null; mergeParentId: string | null }>; except?: string | null },
): Promise<Map<string, MergeJoin>> {
  const result = new Map<string, MergeJoin>();
  const wanted = merges.filter((m) => m.mergeParentId && m.parentId);
  if (wanted.length === 0) return result;
  const parents = [...new Set(wanted.flatMap((m) => [m.parentId, m.mergeParentId]))];
  // per parent, the branches whose tip is it or below it along first parents; the one whose tip is the parent first
  const rows = await queryRows<{ parent_id: string; id: string; title: string }>(
    db,
    sql`select p.id as parent_id, b.id, b.title
        from (select jsonb_array_elements_text(${JSON.stringify(parents)}::jsonb)::uuid as id) p
        cross join lateral (
          select b.id, b.title from branches b
          where b.chat_id = ${chatId} and b.id is distinct from ${except ?? null}::uuid
            and b.tip_message_id in (
              with recursive sub as (
                select id from messages where id = p.id and chat_id = ${chatId}
                union all
                select m.id from messages m join sub on m.parent_id = sub.id
              ) select id from sub)
          order by (b.tip_message_id = p.id) desc, (b.status = 'merged') desc, b.updated_at desc
          limit 1
        ) b`,
  );
  const byParent = new Map(rows.map((r) => [r.parent_id, { branchId: r.id, title: r.title }]));
  for (const m of wanted) {
    result.set(m.id, { first: byParent.get(m.parentId ?? "") ?? null, second: byParent.get(m.mergeParentId ?? "") ?? null });
  }
  return result;
}
