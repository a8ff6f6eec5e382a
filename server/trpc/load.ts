import "server-only";
import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";

/**
 * For pages: run a server-caller call and turn "not found / not a member" into
 * the 404 page and "signed out" into the sign-in page, instead of a 500.
 * FORBIDDEN is returned to the caller, which shows a plain "your role can't" note.
 */
export async function loadOrNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST") notFound();
      if (error.code === "UNAUTHORIZED") redirect("/sign-in");
    }
    throw error;
  }
}
