import "server-only";
import { getEnv } from "@/server/env";

/**
 * Operators are the people whose emails ARBOR_OPERATOR_EMAILS names (compared
 * case-insensitively): they run the deployment and may edit model_prices.
 * An email, not a database flag, so no one can make themselves an operator
 * from inside the app, and the list lives where the deployment's other
 * secrets do. Unset: nobody is.
 */
export function operatorEmails(): Set<string> {
  return new Set(
    (getEnv().ARBOR_OPERATOR_EMAILS ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function isOperator(email: string | null | undefined): boolean {
  return Boolean(email) && operatorEmails().has(String(email).trim().toLowerCase());
}
