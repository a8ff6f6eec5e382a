import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/db/schema";
import { endOtherSessions, endSession, listSessions } from "@/server/account/session-list";
import { requestEmailChange } from "@/server/auth/email-change";
import { changePassword } from "@/server/auth/password-change";
import { disableTotp, regenerateRecoveryCodes, spendSecondFactorAttempt } from "@/server/auth/second-factor";
import { confirmTotpEnrolment, startTotpEnrolment, totpStatus } from "@/server/auth/totp";
import { emailSchema, passwordSchema } from "@/server/auth/validation";
import { getEnv } from "@/server/env";
import { listPasskeys, passkeyRegistrationOptions, registerPasskey, removePasskey, renamePasskey } from "@/server/auth/passkeys";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { protectedProcedure, publicProcedure, router } from "@/server/trpc/init";

const code = z.string().trim().min(1, "Enter a code").max(32);

/** How the signed-in person signs in: sessions, password and address, second factors. Always the caller's own. */
export const accountSecurityRouter = router({
  /** Whether this request's session still stands (components/auth/session-watch.tsx asks after each navigation). */
  signedIn: publicProcedure.query(({ ctx }) => ({ signedIn: ctx.user !== null })),

  /** What the account page needs to know to show the right forms. */
  signInMethods: protectedProcedure.query(async ({ ctx }) => {
    const [row] = await ctx.db.select({ email: users.email, passwordHash: users.passwordHash }).from(users).where(eq(users.id, ctx.user.id));
    return { email: row?.email ?? ctx.user.email, hasPassword: Boolean(row?.passwordHash) };
  }),

  sessions: protectedProcedure.query(({ ctx }) => listSessions(ctx.db, { userId: ctx.user.id, currentSessionToken: ctx.sessionToken ?? null })),

  endSession: protectedProcedure
    .input(z.object({ sessionId: z.uuid({ message: "is not a valid session id" }) }))
    .mutation(({ ctx, input }) => endSession(ctx.db, { userId: ctx.user.id, sessionId: input.sessionId, currentSessionToken: ctx.sessionToken ?? null })),

  endOtherSessions: protectedProcedure.mutation(async ({ ctx }) => ({
    ended: await endOtherSessions(ctx.db, { userId: ctx.user.id, currentSessionToken: ctx.sessionToken ?? null }),
  })),

  changePassword: protectedProcedure
    .input(z.object({ currentPassword: z.string().min(1, "Enter your current password").max(1024), newPassword: passwordSchema }))
    .mutation(({ ctx, input }) => changePassword(ctx.db, { userId: ctx.user.id, ...input, keepSessionToken: ctx.sessionToken ?? null })),

  requestEmailChange: protectedProcedure
    .input(z.object({ newEmail: emailSchema, currentPassword: z.string().max(1024).optional() }))
    .mutation(({ ctx, input }) => requestEmailChange(ctx.db, { userId: ctx.user.id, newEmail: input.newEmail, currentPassword: input.currentPassword, appUrl: getEnv().APP_URL })),

  totpStatus: protectedProcedure.query(({ ctx }) => totpStatus(ctx.db, { userId: ctx.user.id })),

  startTotp: protectedProcedure.mutation(({ ctx }) => startTotpEnrolment(ctx.db, { userId: ctx.user.id })),

  confirmTotp: protectedProcedure.input(z.object({ code })).mutation(async ({ ctx, input }) => {
    await spendSecondFactorAttempt(ctx.db, { userId: ctx.user.id, address: ctx.ip });
    return confirmTotpEnrolment(ctx.db, { userId: ctx.user.id, code: input.code });
  }),

  disableTotp: protectedProcedure
    .input(z.object({ password: z.string().max(1024).nullable(), code }))
    .mutation(({ ctx, input }) => disableTotp(ctx.db, { userId: ctx.user.id, password: input.password, code: input.code, address: ctx.ip })),

  regenerateRecoveryCodes: protectedProcedure
    .input(z.object({ password: z.string().max(1024).nullable(), code }))
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, { userId: ctx.user.id, password: input.password, code: input.code, address: ctx.ip })),

  passkeys: protectedProcedure.query(({ ctx }) => listPasskeys(ctx.db, { userId: ctx.user.id })),

  passkeyRegistrationOptions: protectedProcedure.mutation(({ ctx }) => passkeyRegistrationOptions(ctx.db, { userId: ctx.user.id })),

  registerPasskey: protectedProcedure
    .input(
      z.object({
        // The browser's answer as @simplewebauthn/browser made it; verifyRegistrationResponse checks every part of it.
        response: z.custom<RegistrationResponseJSON>((v) => typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string", "is not a passkey response"),
        name: z.string().trim().max(60, "Keep the name under 60 characters"),
      }),
    )
    .mutation(({ ctx, input }) => registerPasskey(ctx.db, { userId: ctx.user.id, response: input.response, name: input.name })),

  renamePasskey: protectedProcedure
    .input(z.object({ passkeyId: z.uuid(), name: z.string().trim().min(1, "Give it a name").max(60, "Keep the name under 60 characters") }))
    .mutation(({ ctx, input }) => renamePasskey(ctx.db, { userId: ctx.user.id, passkeyId: input.passkeyId, name: input.name })),

  removePasskey: protectedProcedure.input(z.object({ passkeyId: z.uuid() })).mutation(({ ctx, input }) => removePasskey(ctx.db, { userId: ctx.user.id, passkeyId: input.passkeyId })),
});
