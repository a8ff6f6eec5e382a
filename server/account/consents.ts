import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { CONSENT_DOCUMENTS, type UserConsent, userConsents } from "@/db/schema";
import { LEGAL_VERSIONS } from "@/lib/legal";

type Method = UserConsent["method"];

/**
 * Record that the person accepted the Terms and the Privacy notice in their
 * current versions. Called inside the transaction that creates the account,
 * so there is never an account without its consent, nor a consent without an
 * account.
 */
export async function recordSignUpConsents(tx: Db, { userId, method, at = new Date() }: { userId: string; method: Method; at?: Date }): Promise<void> {
  await tx.insert(userConsents).values(CONSENT_DOCUMENTS.map((document) => ({ userId, document, version: LEGAL_VERSIONS[document], method, acceptedAt: at })));
}

/** What the person accepted, newest first (account page, the export). */
export async function listConsents(db: Db, { userId }: { userId: string }) {
  return db
    .select({ document: userConsents.document, version: userConsents.version, method: userConsents.method, acceptedAt: userConsents.acceptedAt })
    .from(userConsents)
    .where(eq(userConsents.userId, userId))
    .orderBy(desc(userConsents.acceptedAt));
}

/** The form shows versions; a sign-up posted from a page opened before a version changed must read the new text first. */
export function shownVersionsAreCurrent(shown: { terms: unknown; privacy: unknown }): boolean {
  return shown.terms === LEGAL_VERSIONS.terms && shown.privacy === LEGAL_VERSIONS.privacy;
}
