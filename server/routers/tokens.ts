import "server-only";
import { z } from "zod";
import { ACCESS_TOKEN_SCOPES } from "@/db/schema";
import { createAccessToken, listAccessTokens, MAX_EXPIRY_DAYS, revokeAccessToken } from "@/server/tokens/personal-tokens";
import { protectedProcedure, router } from "@/server/trpc/init";

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "Give the token a name you will recognise").max(80, "Keep the name under 80 characters"),
  scopes: z.array(z.enum(ACCESS_TOKEN_SCOPES)).min(1, "Choose at least one scope"),
  projectId: z.uuid({ message: "is not a valid project id" }).nullish(),
  expiresInDays: z.number().int().min(1).max(MAX_EXPIRY_DAYS).nullable(),
});

/** Personal access tokens: every procedure acts on the signed-in person's own tokens only. */
export const tokensRouter = router({
  list: protectedProcedure.query(({ ctx }) => listAccessTokens(ctx.db, { userId: ctx.user.id })),

  /** The token is in this response and nowhere else, ever. */
  create: protectedProcedure.input(createTokenInput).mutation(({ ctx, input }) => createAccessToken(ctx.db, { userId: ctx.user.id, ...input })),

  revoke: protectedProcedure
    .input(z.object({ tokenId: z.uuid({ message: "is not a valid token id" }) }))
    .mutation(({ ctx, input }) => revokeAccessToken(ctx.db, { userId: ctx.user.id, tokenId: input.tokenId })),
});
