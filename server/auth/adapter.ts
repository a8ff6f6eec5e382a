import "server-only";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import type { Adapter, AdapterUser } from "next-auth/adapters";
import type { Db } from "@/db/client";
import { accounts, sessions, users, verificationTokens } from "@/db/schema";
import { recordSignUpConsents } from "@/server/account/consents";

const tables = { usersTable: users, accountsTable: accounts, sessionsTable: sessions, verificationTokensTable: verificationTokens };

/**
 * Auth.js's Drizzle adapter, except that an account it creates — the first
 * sign-in with GitHub or Google, or a magic link to an address without an
 * account — gets its consent rows in the same transaction, like a sign-up
 * through the form: there is never an account without its consent.
 * Auth.js marks a magic-link account's email as verified when it creates it
 * (the link proved the mailbox) and an OAuth one's not, which tells the two apart.
 */
export function arborAdapter(db: Db): Adapter {
  const base = DrizzleAdapter(db, tables);
  return {
    ...base,
    async createUser(data: AdapterUser) {
      return db.transaction(async (tx) => {
        const create = DrizzleAdapter(tx, tables).createUser;
        if (!create) throw new Error("the Drizzle adapter has no createUser");
        const created = await create(data);
        await recordSignUpConsents(tx, { userId: created.id, method: data.emailVerified instanceof Date ? "magic_link_sign_up" : "oauth_sign_up" });
        return created;
      });
    },
  };
}
