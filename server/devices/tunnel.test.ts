import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deviceJobs, generationSteps, messages, projects, securityEvents } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { requestStop } from "@/server/chat/stream/stop";
import { chatEnvironment } from "@/testing/chat-environment";
import { addSource, ledgerEvents, newRequestId, textOf } from "@/testing/chat-turns";
import { connectTestTunnel } from "@/testing/device-tunnel";
import { pairTestDevice, vitalsBody } from "@/testing/devices";
import { makeProject } from "@/testing/fixtures";
import { listDevices } from "./devices";
import { recordHeartbeat } from "./heartbeat";
import { acceptJobChunk } from "./jobs";
import { resolveLocalTier, setProjectLocalDevice } from "./local-tier";
import { recordPrewarm } from "./prewarm";

const env = chatEnvironment();

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** A project whose local tier is the owner's paired device. */
async function projectOnDevice(policy: "manual" | "auto" = "manual") {
  const db = env.database.db;
  const { owner, project, members } = await makeProject(db, ["editor"]);
  if (policy !== "manual") {
    await db.update(projects).set({ settings: { escalationPolicy: policy, defaultCloudModel: null, systemPrompt: "", constraints: "" } }).where(eq(projects.id, project.id));
  }
  const device = await pairTestDevice(db, { userId: owner.id, name: "Study GPU", projectIds: [project.id] });
  await setProjectLocalDevice(db, { projectId: project.id, userId: owner.id, deviceId: device.deviceId });
  await recordHeartbeat(db, device.identity, vitalsBody({ loaded_model: "llama3.2:3b" }));
  // a confident vault keeps `auto` on the local tier, so only the device decides where an answer goes
  await addSource(db, { projectId: project.id, title: "Garden notes", texts: ["The greenhouse tomatoes need water every morning in summer."] });
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { owner, project, members, device, chat };
}

async function trace(messageId: string) {
  const steps = await env.database.db.select().from(generationSteps).where(eq(generationSteps.messageId, messageId));
  return steps.filter((s) => s.kind === "escalation").map((s) => (s.detail as { reason?: string }).reason ?? "");
}

describe("the tunnel: a device as the project's local tier", () => {
  it("sends the question down the tunnel and streams the device's text into the answer", async () => {
    const db = env.database.db;
    const { owner, device, chat } = await projectOnDevice();
    const tunnel = connectTestTunnel(db, device.identity);
    await tunnel.next("hello");
    expect((await listDevices(db, { userId: owner.id }))[0]?.state.kind).toBe("connected");

    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Hello device", tier: "local" } });
    const job = JSON.parse((await tunnel.next("job")).data) as { id: string; model: string; messages: Array<{ content: string }>; maxTokens: number };
    expect(job.model).toBe("llama3.2:3b");
    expect(job.messages.at(-1)?.content).toContain("Hello device");
    expect(await acceptJobChunk(db, device.identity, job.id, { seq: 1, text: "Hello " })).toEqual({ accepted: true, stop: false });
    // a retried batch is acknowledged and not written twice
    expect(await acceptJobChunk(db, device.identity, job.id, { seq: 1, text: "Hello " })).toEqual({ accepted: false, stop: false });
    expect(await outcome(acceptJobChunk(db, device.identity, job.id, { seq: 3, text: "skipped" }))).toBe("conflict:job_seq");
    await acceptJobChunk(db, device.identity, job.id, { seq: 2, text: "from the box.", done: { tokens_in: 12, tokens_out: 4, model: "llama3.2:3b" } });
    await answerFinished(turn.stream.id);

    const events = await ledgerEvents(db, turn.stream.id);
    expect(textOf(events)).toBe("Hello from the box.");
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ tier: "local", model: "llama3.2:3b", status: "complete", tokensIn: 12, tokensOut: 4, costMicros: 0n });
    expect((await trace(turn.assistantMessageId)).join(" ")).toContain('on device "Study GPU"');
    expect(await outcome(acceptJobChunk(db, device.identity, job.id, { seq: 3, text: "late" }))).toBe("conflict:job_finished");
    await tunnel.close();
    expect((await listDevices(db, { userId: owner.id }))[0]?.state.kind).toBe("reconnecting");
  });

  it("passes Stop down to the device and keeps what it wrote", async () => {
    const db = env.database.db;
    const { owner, project, device, chat } = await projectOnDevice();
    const tunnel = connectTestTunnel(db, device.identity);
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Write a lot", tier: "local" } });
    const job = JSON.parse((await tunnel.next("job")).data) as { id: string };
    await acceptJobChunk(db, device.identity, job.id, { seq: 1, text: "Once upon" });
    await waitUntil(async () => textOf(await ledgerEvents(db, turn.stream.id)) === "Once upon");
    await requestStop(db, { projectId: project.id, streamId: turn.stream.id });
    const stop = JSON.parse((await tunnel.next("stop")).data) as { id: string };
    expect(stop.id).toBe(job.id);
    // the agent, had it missed the event, learns it from its next POST too
    expect(await acceptJobChunk(db, device.identity, job.id, { seq: 2, text: " a time", stopped: true })).toMatchObject({ stop: true });
    await answerFinished(turn.stream.id);
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer?.status).toBe("stopped");
    expect(answer?.content.startsWith("Once upon")).toBe(true);
    await tunnel.close();
  });

  it("refuses a job result from a device the job was not sent to, logs it, and changes nothing", async () => {
    const db = env.database.db;
    const { owner, device, chat } = await projectOnDevice();
    const intruder = await projectOnDevice();
    const tunnel = connectTestTunnel(db, device.identity);
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Mine", tier: "local" } });
    const job = JSON.parse((await tunnel.next("job")).data) as { id: string };
    expect(await outcome(acceptJobChunk(db, intruder.device.identity, job.id, { seq: 1, text: "forged", done: {} }))).toBe("not_found:job");
    expect(await outcome(acceptJobChunk(db, device.identity, "not-a-job", { seq: 1, text: "x" }))).toBe("not_found:job");
    expect(await outcome(acceptJobChunk(db, device.identity, job.id, { seq: 0, text: "x" }))).toBe("bad_request:job_chunk");
    expect(await outcome(acceptJobChunk(db, device.identity, job.id, { seq: 1, done: {}, error: "both" }))).toBe("bad_request:job_chunk");
    const [row] = await db.select().from(deviceJobs).where(eq(deviceJobs.id, job.id));
    expect(row).toMatchObject({ state: "sent", output: "", outputSeq: 0 });
    const logged = await db.select().from(securityEvents).where(eq(securityEvents.userId, intruder.owner.id));
    expect(logged.map((e) => (e.detail as { reason?: string }).reason)).toContain("foreign_job");
    await acceptJobChunk(db, device.identity, job.id, { seq: 1, text: "Real.", done: {} });
    await answerFinished(turn.stream.id);
    expect(textOf(await ledgerEvents(db, turn.stream.id))).toBe("Real.");
    await tunnel.close();
  });

  it("when the device is offline, a manual project answers from the vault and an auto project escalates, each saying why", async () => {
    const db = env.database.db;
    const manual = await projectOnDevice("manual");
    expect(await resolveLocalTier(db, { projectId: manual.project.id })).toMatchObject({ kind: "device", online: false });
    const a = await startChatTurn(db, { userId: manual.owner.id, request: { requestId: newRequestId(), chatId: manual.chat.id, parentId: null, content: "When do the greenhouse tomatoes need water?", tier: "auto" } });
    await answerFinished(a.stream.id);
    const [vault] = await db.select().from(messages).where(eq(messages.id, a.assistantMessageId));
    expect(vault).toMatchObject({ tier: "local", model: "vault-responder", status: "complete" });
    expect((await trace(a.assistantMessageId)).join(" ")).toContain('device "Study GPU" is offline');

    const auto = await projectOnDevice("auto");
    const b = await startChatTurn(db, { userId: auto.owner.id, request: { requestId: newRequestId(), chatId: auto.chat.id, parentId: null, content: "When do the greenhouse tomatoes need water?", tier: "auto" } });
    await answerFinished(b.stream.id);
    const [cloud] = await db.select().from(messages).where(eq(messages.id, b.assistantMessageId));
    expect(cloud?.tier).toBe("cloud");
    expect((await trace(b.assistantMessageId)).join(" ")).toContain('device "Study GPU" is offline');
  });

  it("a prewarm signal sends an auto project's new turns to the cloud with the reason in the trace", async () => {
    const db = env.database.db;
    const { owner, project, device, chat } = await projectOnDevice("auto");
    const tunnel = connectTestTunnel(db, device.identity);
    await tunnel.next("hello");
    const now = new Date().toISOString();
    expect(await outcome(recordPrewarm(db, device.identity, { project_id: project.id, current_gpu_load: 1.4, timestamp: now }))).toBe("bad_request:prewarm");
    expect(await outcome(recordPrewarm(db, device.identity, { project_id: project.id, current_gpu_load: 0.9, timestamp: new Date(Date.now() + 60_000).toISOString() }))).toBe("bad_request:prewarm_timestamp");
    const other = await makeProject(db);
    expect(await outcome(recordPrewarm(db, device.identity, { project_id: other.project.id, current_gpu_load: 0.9, timestamp: now }))).toBe("not_found:project");
    const signal = await recordPrewarm(db, device.identity, { project_id: project.id, current_gpu_load: 0.93, estimated_escalation_secs: 20, timestamp: now });
    expect(signal.reason).toContain("GPU load 93 %");
    // a heartbeat with a calm GPU does not cancel a signal (only GPU-load prewarms end with the load)
    await recordHeartbeat(db, device.identity, vitalsBody({ gpu_usage: 0.1 }, new Date(Date.now() - 500)));
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "When do the greenhouse tomatoes need water?", tier: "auto" } });
    await answerFinished(turn.stream.id);
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer?.tier).toBe("cloud");
    expect((await trace(turn.assistantMessageId)).join(" ")).toContain("device prewarm — prewarm signal from Study GPU: GPU load 93 %");
    expect(tunnel.events.filter((e) => e.event === "job")).toHaveLength(0);
    await tunnel.close();
  });

  it("a tunnel that closes mid-answer fails the job at once; auto escalates it", async () => {
    const db = env.database.db;
    const { owner, device, chat } = await projectOnDevice("auto");
    const tunnel = connectTestTunnel(db, device.identity);
    await tunnel.next("hello");
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "When do the greenhouse tomatoes need water?", tier: "auto" } });
    await tunnel.next("job");
    await tunnel.close();
    await answerFinished(turn.stream.id);
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer?.tier).toBe("cloud");
    expect((await trace(turn.assistantMessageId)).join(" ")).toContain("the tunnel closed");
  });
});

async function waitUntil(check: () => Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("condition not met in time");
}
