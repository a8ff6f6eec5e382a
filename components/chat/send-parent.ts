/**
 * Which message a Send follows: the last message of the branch the person
 * sees. Right after Fork (or a sibling switch) the page still shows the old
 * branch's messages while the new branch's thread loads; following the old
 * tip then would put the question under the line the person just forked away
 * from. So when the loaded thread is not the branch shown, the branch's own
 * thread is read first.
 */
export async function parentForSend({
  branchId,
  loaded,
  readBranch,
}: {
  branchId: string | null;
  /** the thread on screen: its branch and its messages, oldest first */
  loaded: { branchId: string; lastMessageId: string | null } | null;
  /** reads the thread of `branchId` from the server */
  readBranch: (branchId: string) => Promise<{ lastMessageId: string | null }>;
}): Promise<string | null> {
  if (!branchId) return loaded?.lastMessageId ?? null;
  if (loaded && loaded.branchId === branchId) return loaded.lastMessageId;
  return (await readBranch(branchId)).lastMessageId;
}
