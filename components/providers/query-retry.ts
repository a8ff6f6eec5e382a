import { isWorthRetrying } from "@/lib/errors";

/** Queries retry a failure at most twice, and only one that may pass: decided on the error's code, never its words. */
export function retryQuery(failureCount: number, error: unknown): boolean {
  return failureCount < 2 && isWorthRetrying(error);
}
