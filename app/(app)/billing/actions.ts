"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { openCustomerPortal, startCheckout } from "@/server/billing/checkout";
import { parseUsd } from "@/lib/money";
import { payTestCheckout } from "@/server/billing/test-checkout";
import { AppError, isAppError } from "@/server/errors";
import type { SessionUser } from "@/server/trpc/init";

export type BillingActionState = { error?: string };

/**
 * saas-starter's wrapped actions: validate the form, require a signed-in
 * person, and act only on that person's own billing account (the account's
 * owner is the caller by construction — no account id is taken from the form).
 */
function withAccountOwner<S extends z.ZodType>(schema: S, act: (input: z.infer<S>, user: SessionUser) => Promise<string>) {
  return async (_prev: BillingActionState, form: FormData): Promise<BillingActionState> => {
    const parsed = schema.safeParse(Object.fromEntries(form.entries()));
    if (!parsed.success) return { error: parsed.error.issues.map((i) => i.message).join(" ") };
    const user = await getSessionUser();
    if (!user) return { error: "Please sign in again." };
    let target: string;
    try {
      target = await act(parsed.data, user);
    } catch (error) {
      if (isAppError(error)) return { error: error.message };
      console.error("[arbor] billing action failed", error);
      return { error: "Something went wrong on our side. Nothing was charged. Please try again." };
    }
    redirect(target);
  };
}

const checkoutSchema = z.object({
  kind: z.enum(["subscribe_managed", "subscribe_byok", "credits"], { message: "Pick a plan or credits." }),
  amount: z.string().optional(),
});

export const startCheckoutAction = withAccountOwner(checkoutSchema, async (input, user) => {
  let creditsMicros: bigint | undefined;
  if (input.kind === "credits") {
    const parsed = parseUsd(input.amount ?? "");
    if (parsed === null) throw new AppError("bad_request:credits", "Enter an amount in dollars, such as 20 or 12.50.");
    creditsMicros = parsed;
  }
  const { url } = await startCheckout(await getDb(), { userId: user.id, email: user.email, kind: input.kind, creditsMicros });
  return url;
});

export const openPortalAction = withAccountOwner(z.object({}), async (_input, user) => {
  const { url } = await openCustomerPortal(await getDb(), { userId: user.id });
  return url;
});

export const payTestCheckoutAction = withAccountOwner(z.object({ sessionId: z.string().regex(/^cs_test_arbor_[0-9a-f]+$/, "Unknown checkout.") }), async (input, user) => {
  // The events go to this server's webhook at APP_URL, the same path Stripe would use.
  await payTestCheckout(await getDb(), { userId: user.id, sessionId: input.sessionId });
  return "/billing?checkout=success";
});
