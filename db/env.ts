import "server-only";
import { z } from "zod";

/**
 * The database layer's own variables. `db/` sits below `server/` and must not
 * import it, so it reads these here; `server/env.ts` validates them together
 * with everything else at start, in one message. No other module of `db/`
 * reads `process.env`.
 * @see docs/architecture.md#configuration
 */
export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  /** postgres.js connections per instance */
  DATABASE_POOL_SIZE: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(1).max(1000).default(10),
  /** "0" behind a pooler without prepared-statement support (PgBouncer < 1.21, or without max_prepared_statements) */
  DATABASE_PREPARED_STATEMENTS: z.enum(["0", "1"], { message: "must be 0 or 1" }).default("1"),
  /** where the embedded database and generated development secrets live (default .data/) */
  ARBOR_DATA_DIR: z.string().min(1).optional(),
});

export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

let cached: DatabaseEnv | undefined;

/** Read once per process; an empty variable means "not set" (as in a .env file with KEY=). */
export function getDatabaseEnv(): DatabaseEnv {
  if (cached) return cached;
  const parsed = databaseEnvSchema.safeParse(setVariables());
  if (!parsed.success) throw new Error(describeEnvIssues(parsed.error.issues));
  cached = parsed.data;
  return cached;
}

/** One line per bad variable, so a misconfiguration reads at a glance. */
export function describeEnvIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return `Invalid environment:\n${issues.map((issue) => `  ${issue.path.map(String).join(".")}: ${issue.message}`).join("\n")}`;
}

/** process.env without its empty variables. */
export function setVariables(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

/** Tests change process.env between cases. */
export function resetDatabaseEnvForTests(): void {
  cached = undefined;
}
