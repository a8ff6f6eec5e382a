import "server-only";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns";
import { users } from "./auth";

/**
 * The last password hashes of each account (like password_history in the data model Arbor was drawn from), so a
 * change can refuse any of the last five. The current one is included.
 */
export const passwordHistory = pgTable(
  "password_history",
  {
    id: id(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
  },
  // a change reads the account's newest few
  (t) => [index("password_history_user_idx").on(t.userId, t.createdAt)],
);

/**
 * An account's TOTP authenticator (like user_mfa_methods in the data model Arbor was drawn from). The secret is
 * encrypted (AES-256-GCM with ENCRYPTION_KEY); until `confirmedAt` it is only
 * an enrolment in progress and asks nothing at sign-in. `lastStep` is the
 * 30-second step of the last accepted code: a code of that step or earlier is
 * a replay and refused.
 */
export const totpAuthenticators = pgTable("totp_authenticators", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretEncrypted: text("secret_encrypted").notNull(),
  confirmedAt: ts("confirmed_at"),
  lastStep: bigint("last_step", { mode: "number" }),
  createdAt: createdAt(),
});

/** One-time recovery codes (like user_recovery_codes in the data model Arbor was drawn from): only the SHA-256 of each is kept. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: id(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: ts("used_at"),
    createdAt: createdAt(),
  },
  // a code is looked up by its hash within its account
  (t) => [uniqueIndex("recovery_codes_user_hash_idx").on(t.userId, t.codeHash)],
);

/** WebAuthn credentials. `credentialId` is base64url as the browser sends it; the public key is COSE, base64url. */
export const passkeys = pgTable(
  "passkeys",
  {
    id: id(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    credentialId: text("credential_id").notNull(),
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: jsonb("transports").$type<string[]>(),
    name: text("name").notNull(),
    lastUsedAt: ts("last_used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // sign-in finds the credential the authenticator names
    uniqueIndex("passkeys_credential_idx").on(t.credentialId),
    // the account page lists its passkeys
    index("passkeys_user_idx").on(t.userId),
  ],
);

/**
 * WebAuthn challenges, in the database so any instance can finish a ceremony
 * another began; each is used once. `userId` is null for a passkey-only
 * sign-in, where nobody is known until the assertion names its credential.
 */
export const webauthnChallenges = pgTable("webauthn_challenges", {
  id: id(),
  challenge: text("challenge").notNull(),
  userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
  purpose: text("purpose", { enum: ["register", "authenticate"] }).notNull(),
  expiresAt: ts("expires_at").notNull(),
  createdAt: createdAt(),
});

/**
 * Browsers an account has signed in from, by the SHA-256 of the browser's own
 * random cookie (set by proxy.ts): a sign-in from one not listed mails the
 * owner naming it.
 */
export const knownBrowsers = pgTable(
  "known_browsers",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    browserHash: text("browser_hash").notNull(),
    label: text("label").notNull(),
    signIns: integer("sign_ins").notNull().default(1),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.browserHash] })],
);
