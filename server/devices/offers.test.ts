import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deviceJobs, projectDeviceOffers, projectLocalDevices, projectMembers } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { chatEnvironment } from "@/testing/chat-environment";
import { ledgerEvents, newRequestId, textOf } from "@/testing/chat-turns";
import { connectTestTunnel } from "@/testing/device-tunnel";
import { pairTestDevice, vitalsBody } from "@/testing/devices";
import { makeProject, makeUser } from "@/testing/fixtures";
import { recordHeartbeat } from "./heartbeat";
import { acceptJobChunk } from "./jobs";
import { projectLocalDevice, resolveLocalTier, setProjectLocalDevice } from "./local-tier";
import { allowDeviceOffer, listDeviceOffers, offerDevice, revokeDeviceOffer, withdrawDeviceOffer } from "./offers";

const env = chatEnvironment();

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A project with an editor whose paired device is heartbeating. */
async function projectWithEditorDevice() {
  const db = env.database.db;
  const { owner, project, members } = await makeProject(db, ["editor", "viewer"]);
  const editor = members.editor;
  const viewer = members.viewer;
  if (!editor || !viewer) throw new Error("no members");
  const device = await pairTestDevice(db, { userId: editor.id, name: "Editor's GPU" });
  await recordHeartbeat(db, device.identity, vitalsBody({ loaded_model: "qwen2.5:7b" }));
  return { db, owner, project, editor, viewer, device };
}

describe("an editor's device as the project's local tier", () => {
  it("is offered by the editor, allowed by the owner, chosen, answers through its tunnel; revoking ends it from the next turn", async () => {
    const { db, owner, project, editor, device } = await projectWithEditorDevice();
    const tunnel = connectTestTunnel(db, device.identity);
    await tunnel.next("hello");

    // Not the owner's device and not allowed yet: it cannot be chosen.
    expect(await outcome(setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId }))).toBe("not_found:device");
    await offerDevice(db, { projectId: project.id, userId: editor.id, role: "editor", deviceId: device.deviceId });
    await offerDevice(db, { projectId: project.id, userId: editor.id, role: "editor", deviceId: device.deviceId });
    expect(await listDeviceOffers(db, { projectId: project.id, userId: owner.id, role: "owner" })).toEqual([
      expect.objectContaining({ deviceId: device.deviceId, deviceName: "Editor's GPU", offeredBy: editor.id, allowed: false, chosen: false, online: true }),
    ]);
    expect(await outcome(setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId }))).toBe("not_found:device");

    await allowDeviceOffer(db, { projectId: project.id, ownerId: owner.id, deviceId: device.deviceId });
    await setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId });
    expect(await resolveLocalTier(db, { projectId: project.id })).toMatchObject({ kind: "device", deviceId: device.deviceId, model: "qwen2.5:7b", online: true });
    expect((await listDeviceOffers(db, { projectId: project.id, userId: editor.id, role: "editor" }))[0]).toMatchObject({ allowed: true, chosen: true });

    // The owner's question goes down the editor's tunnel.
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Hello editor box", tier: "local" } });
    const job = JSON.parse((await tunnel.next("job")).data) as { id: string; messages: Array<{ content: string }> };
    expect(job.messages.at(-1)?.content).toContain("Hello editor box");
    await acceptJobChunk(db, device.identity, job.id, { seq: 1, text: "From the editor's box.", done: { tokens_in: 5, tokens_out: 4, model: "qwen2.5:7b" } });
    await answerFinished(turn.stream.id);
    expect(textOf(await ledgerEvents(db, turn.stream.id))).toBe("From the editor's box.");

    // Revoked: the next turn is not sent to the device.
    await revokeDeviceOffer(db, { projectId: project.id, deviceId: device.deviceId });
    expect(await resolveLocalTier(db, { projectId: project.id })).toMatchObject({ kind: "vault" });
    expect(await projectLocalDevice(db, { projectId: project.id })).toBeNull();
    const jobsBefore = await db.$count(deviceJobs, eq(deviceJobs.deviceId, device.deviceId));
    const next = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: turn.assistantMessageId, content: "Still there?", tier: "local" } });
    await answerFinished(next.stream.id);
    expect(await db.$count(deviceJobs, eq(deviceJobs.deviceId, device.deviceId))).toBe(jobsBefore);
    expect(await listDeviceOffers(db, { projectId: project.id, userId: owner.id, role: "owner" })).toEqual([]);
    await tunnel.close();
  });

  it("checks the allowance and the editor's role at every turn; leaving the project ends the allowance", async () => {
    const { db, owner, project, editor, device } = await projectWithEditorDevice();
    await offerDevice(db, { projectId: project.id, userId: editor.id, role: "editor", deviceId: device.deviceId });
    await allowDeviceOffer(db, { projectId: project.id, ownerId: owner.id, deviceId: device.deviceId });
    await setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId });
    expect((await resolveLocalTier(db, { projectId: project.id })).kind).toBe("device");

    // Demoted to viewer: the choice is still recorded, but the device no longer serves.
    const membership = and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, editor.id));
    await db.update(projectMembers).set({ role: "viewer" }).where(membership);
    expect(await projectLocalDevice(db, { projectId: project.id })).toBe(device.deviceId);
    expect((await resolveLocalTier(db, { projectId: project.id })).kind).toBe("vault");
    await db.update(projectMembers).set({ role: "editor" }).where(membership);
    expect((await resolveLocalTier(db, { projectId: project.id })).kind).toBe("device");

    // The editor leaves: the offer goes with the membership, and the device serves no more.
    await db.delete(projectMembers).where(membership);
    expect(await db.$count(projectDeviceOffers, eq(projectDeviceOffers.projectId, project.id))).toBe(0);
    expect((await resolveLocalTier(db, { projectId: project.id })).kind).toBe("vault");
  });

  it("an editor withdraws their offer; nobody offers a device that is not theirs, and each sees only what they may", async () => {
    const { db, owner, project, editor, viewer, device } = await projectWithEditorDevice();
    const stranger = await makeUser(db);
    const strangers = await pairTestDevice(db, { userId: stranger.id, name: "Not yours" });
    const owners = await pairTestDevice(db, { userId: owner.id, name: "Owner box" });

    expect(await outcome(offerDevice(db, { projectId: project.id, userId: editor.id, role: "editor", deviceId: strangers.deviceId }))).toBe("not_found:device");
    expect(await outcome(offerDevice(db, { projectId: project.id, userId: owner.id, role: "owner", deviceId: owners.deviceId }))).toBe("bad_request:device_offer");
    expect(await outcome(allowDeviceOffer(db, { projectId: project.id, ownerId: owner.id, deviceId: strangers.deviceId }))).toBe("not_found:device_offer");
    expect(await outcome(revokeDeviceOffer(db, { projectId: project.id, deviceId: strangers.deviceId }))).toBe("not_found:device_offer");
    expect(await db.$count(projectDeviceOffers, eq(projectDeviceOffers.projectId, project.id))).toBe(0);

    await offerDevice(db, { projectId: project.id, userId: editor.id, role: "editor", deviceId: device.deviceId });
    // The viewer's own offers (none) — and not the editor's.
    expect(await listDeviceOffers(db, { projectId: project.id, userId: viewer.id, role: "viewer" })).toEqual([]);
    expect(await outcome(withdrawDeviceOffer(db, { projectId: project.id, userId: viewer.id, deviceId: device.deviceId }))).toBe("not_found:device_offer");

    await allowDeviceOffer(db, { projectId: project.id, ownerId: owner.id, deviceId: device.deviceId });
    await setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId });
    await withdrawDeviceOffer(db, { projectId: project.id, userId: editor.id, deviceId: device.deviceId });
    expect(await db.$count(projectLocalDevices, eq(projectLocalDevices.projectId, project.id))).toBe(0);
    expect((await resolveLocalTier(db, { projectId: project.id })).kind).toBe("vault");
  });
});
