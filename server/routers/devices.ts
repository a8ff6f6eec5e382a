import "server-only";
import { z } from "zod";
import { listDevices, removeDevice } from "@/server/devices/devices";
import { VITALS_RANGES, type VitalsRange, vitalsSeries } from "@/server/devices/vitals";
import { approvePairing, denyPairing, lookUpPairing } from "@/server/devices/pairing";
import { projectLocalDevice, setProjectLocalDevice } from "@/server/devices/local-tier";
import { allowDeviceOffer, listDeviceOffers, offerDevice, revokeDeviceOffer, withdrawDeviceOffer } from "@/server/devices/offers";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

const userCode = z.string().trim().min(1, "Enter the code the device shows").max(20, "A code is 8 letters, such as BCDF-GHJK");
const deviceId = z.uuid({ message: "is not a valid device id" });

/** The signed-in person's devices: pairing by code, the list, removal. Every procedure acts on the caller's own devices only. */
export const devicesRouter = router({
  list: protectedProcedure.query(({ ctx }) => listDevices(ctx.db, { userId: ctx.user.id })),

  /** A mutation, not a query: every wrong code counts against the guess limit. */
  lookUpPairing: protectedProcedure.input(z.object({ userCode })).mutation(({ ctx, input }) => lookUpPairing(ctx.db, { userId: ctx.user.id, ip: ctx.ip, ...input })),

  approvePairing: protectedProcedure
    .input(
      z.object({
        userCode,
        name: z.string().trim().min(1, "Give the device a name").max(80, "Keep the name under 80 characters"),
        projectIds: z.array(z.uuid({ message: "is not a valid project id" })).max(100),
      }),
    )
    .mutation(({ ctx, input }) => approvePairing(ctx.db, { userId: ctx.user.id, ip: ctx.ip, ...input })),

  denyPairing: protectedProcedure.input(z.object({ userCode })).mutation(({ ctx, input }) => denyPairing(ctx.db, { userId: ctx.user.id, ip: ctx.ip, ...input })),

  vitals: protectedProcedure
    .input(z.object({ deviceId, range: z.enum(Object.keys(VITALS_RANGES) as [VitalsRange, ...VitalsRange[]]) }))
    .query(({ ctx, input }) => vitalsSeries(ctx.db, { userId: ctx.user.id, ...input })),

  /** Which device answers the project's local tier (null: the server's local model or the vault responder). */
  projectLocalDevice: projectProcedure("editor").query(({ ctx, input }) => projectLocalDevice(ctx.db, { projectId: input.projectId })),

  setProjectLocalDevice: projectProcedure("owner")
    .input(z.object({ deviceId: deviceId.nullable() }))
    .mutation(({ ctx, input }) => setProjectLocalDevice(ctx.db, { projectId: input.projectId, userId: ctx.user.id, deviceId: input.deviceId })),

  /** Editors' devices offered to the project: every offer for the owner, an editor's own for an editor. */
  offers: projectProcedure("editor").query(({ ctx }) => listDeviceOffers(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, role: ctx.member.role })),

  /** An editor offers one of their own devices to the project; the owner decides. */
  offer: projectProcedure("editor")
    .input(z.object({ deviceId }))
    .mutation(({ ctx, input }) => offerDevice(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, role: ctx.member.role, deviceId: input.deviceId })),

  withdrawOffer: projectProcedure("editor")
    .input(z.object({ deviceId }))
    .mutation(({ ctx, input }) => withdrawDeviceOffer(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, deviceId: input.deviceId })),

  allowOffer: projectProcedure("owner")
    .input(z.object({ deviceId }))
    .mutation(({ ctx, input }) => allowDeviceOffer(ctx.db, { projectId: ctx.project.id, ownerId: ctx.user.id, deviceId: input.deviceId })),

  revokeOffer: projectProcedure("owner")
    .input(z.object({ deviceId }))
    .mutation(({ ctx, input }) => revokeDeviceOffer(ctx.db, { projectId: ctx.project.id, deviceId: input.deviceId })),

  remove: protectedProcedure.input(z.object({ deviceId })).mutation(({ ctx, input }) => removeDevice(ctx.db, { userId: ctx.user.id, deviceId: input.deviceId })),
});
