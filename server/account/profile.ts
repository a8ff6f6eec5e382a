import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { AppError } from "@/server/errors";

export const NAME_MAX = 80;

/** The person's own name, as members and mails show it. Blank is refused: the header and member lists need something to say. */
export async function renameUser(db: Db, { userId, name }: { userId: string; name: string }): Promise<{ name: string }> {
  // collapse runs of white space and drop control characters: a name is one line in every list it appears in
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, "").replace(/\s+/g, " ").trim();
  if (clean.length === 0) throw new AppError("bad_request:name", "Enter a name.");
  if (clean.length > NAME_MAX) throw new AppError("bad_request:name", `A name is at most ${NAME_MAX} characters.`);
  const [row] = await db.update(users).set({ name: clean, updatedAt: new Date() }).where(eq(users.id, userId)).returning({ name: users.name });
  if (!row) throw new AppError("not_found:user", "That account no longer exists.");
  return { name: row.name ?? clean };
}

export async function getProfile(db: Db, { userId }: { userId: string }): Promise<{ name: string | null; email: string }> {
  const [row] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  if (!row) throw new AppError("not_found:user", "That account no longer exists.");
  return row;
}
