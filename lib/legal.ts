/**
 * The versions of the Terms and the Privacy notice now in force. Bump one when
 * its text (app/(legal)/…) changes in substance: every sign-up records the
 * versions it was shown (user_consents), so what each person accepted stays
 * provable after the text moves on. docs/account.md "Consents".
 */
export const LEGAL_VERSIONS = { terms: "2026-12-01", privacy: "2026-12-01" } as const;
export type LegalDocument = keyof typeof LEGAL_VERSIONS;
