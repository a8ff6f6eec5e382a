/**
 * The authorization matrix (docs/collaboration.md#roles), read by server/routers/authz-matrix.test.ts.
 *
 * Every tRPC procedure of appRouter needs an entry, or the test fails. `min` is
 * the least privilege that may call it: "public" (anyone), "signed-in" (any
 * account), or a project role — then anonymous is UNAUTHORIZED, a non-member
 * NOT_FOUND and a lower role FORBIDDEN. `input` builds a real input from a fresh
 * fixture (create the rows it needs through `fx.db`), so an allowed caller
 * genuinely succeeds — or fails for a reason other than UNAUTHORIZED, FORBIDDEN
 * or NOT_FOUND. `except` overrides single actors where the rule is not a
 * ladder (say why in a comment).
 *
 * Adding a procedure? Add its line here, in its area's block.
 */
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Project, type User, accountExports, customProviderModels, customProviders, adapters, branches, passkeys, sessions, canvasEdges, canvasNodes, chatStreams, comments, messages, projectDeviceOffers, requestLogs, sources } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { createAgent } from "@/server/agents/agents";
import { createServerSession } from "@/server/auth/server-sessions";
import { createChat } from "@/server/chat/chats";
import { trashMessage } from "@/server/chat/trash";
import { createInvite } from "@/server/collab/invites";
import { startHandover } from "@/server/handover/start";
import { createShareLink } from "@/server/share/links";
import { createAccessToken } from "@/server/tokens/personal-tokens";
import { approvePairing, requestPairingCode } from "@/server/devices/pairing";

export type Actor = "anonymous" | "nonMember" | "viewer" | "commenter" | "editor" | "owner";
export const ACTORS: Actor[] = ["anonymous", "nonMember", "viewer", "commenter", "editor", "owner"];

export type MatrixFixture = {
  db: Db;
  project: Project;
  owner: User;
  members: { viewer: User; commenter: User; editor: User };
  nonMember: User;
  /** who is calling in this case (null = anonymous) */
  caller: User | null;
};

export type MatrixEntry = {
  min: Role | "signed-in" | "public";
  input?: (fx: MatrixFixture) => unknown | Promise<unknown>;
  except?: Partial<Record<Actor, "allowed" | "denied">>;
};

// ── fixture helpers: real rows, so allowed callers really get through ──
export async function fixtureChat(fx: MatrixFixture) {
  return createChat(fx.db, { projectId: fx.project.id, by: fx.owner.id, title: "Matrix chat" });
}

/** A provider of the project with one listed model (rows only: no server is asked). */
export async function fixtureProvider(fx: MatrixFixture) {
  const [provider] = await fx.db.insert(customProviders).values({ projectId: fx.project.id, name: `Matrix ${Math.random().toString(36).slice(2)}`, baseUrl: "http://127.0.0.1:9/v1" }).returning();
  if (!provider) throw new Error("provider fixture missing");
  const [model] = await fx.db.insert(customProviderModels).values({ providerId: provider.id, model: "matrix-model" }).returning();
  if (!model) throw new Error("provider model fixture missing");
  return { providerId: provider.id, modelId: model.id };
}

/** A device waiting for its code to be confirmed. */
export async function fixturePairing(fx: MatrixFixture) {
  return requestPairingCode(fx.db, { appUrl: "http://localhost:3000", ip: `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`, clientName: "matrix" });
}

/** A paired device of `user`. */
export async function fixtureDevice(fx: MatrixFixture, user: User): Promise<string> {
  const pairing = await fixturePairing(fx);
  const made = await approvePairing(fx.db, { userId: user.id, ip: "10.9.9.9", userCode: pairing.user_code, name: "Matrix box", projectIds: [] });
  return made.deviceId;
}

/** A device of `user` offered to the project, written directly so any member's offer can be set up (a non-member cannot offer: just the device). */
export async function fixtureOffer(fx: MatrixFixture, user: User): Promise<string> {
  const deviceId = await fixtureDevice(fx, user);
  if (user.id !== fx.nonMember.id) await fx.db.insert(projectDeviceOffers).values({ projectId: fx.project.id, deviceId, offeredBy: user.id });
  return deviceId;
}

/** A chat whose main branch ends in a question and its answer. */
export async function fixtureMessages(fx: MatrixFixture) {
  const chat = await fixtureChat(fx);
  const [question] = await fx.db.insert(messages).values({ chatId: chat.id, role: "user", content: "What is soil?", authorId: fx.owner.id }).returning();
  const [answer] = await fx.db
    .insert(messages)
    .values({ chatId: chat.id, role: "assistant", content: "Soil is…", parentId: question?.id, tier: "local", model: "vault-responder" })
    .returning();
  if (!question || !answer) throw new Error("message insert returned nothing");
  await fx.db.update(branches).set({ tipMessageId: answer.id }).where(eq(branches.id, chat.mainBranchId));
  return { chat, branchId: chat.mainBranchId, question, answer };
}

/** An answer in the project's trash. */
export async function fixtureTrashItem(fx: MatrixFixture) {
  const { answer } = await fixtureMessages(fx);
  return trashMessage(fx.db, { projectId: fx.project.id, messageId: answer.id, by: fx.owner.id });
}

/** A running stream on the fixture chat, for Stop. */
export async function fixtureStream(fx: MatrixFixture) {
  const { chat, branchId, question, answer } = await fixtureMessages(fx);
  const [stream] = await fx.db
    .insert(chatStreams)
    .values({ requestId: `matrix-${answer.id}`, chatId: chat.id, branchId, userMessageId: question.id, assistantMessageId: answer.id, startedBy: fx.owner.id })
    .returning();
  if (!stream) throw new Error("stream insert returned nothing");
  return stream;
}

export async function fixtureSource(fx: MatrixFixture) {
  const [source] = await fx.db
    .insert(sources)
    .values({ projectId: fx.project.id, title: "Matrix notes", mediaType: "text/plain", origin: "paste", status: "ready", addedBy: fx.owner.id })
    .returning();
  if (!source) throw new Error("source insert returned nothing");
  return source;
}

export async function fixtureNote(fx: MatrixFixture) {
  const [note] = await fx.db.insert(canvasNodes).values({ projectId: fx.project.id, kind: "note", text: "Matrix note", x: 0, y: 0, createdBy: fx.owner.id }).returning();
  if (!note) throw new Error("note insert returned nothing");
  return note;
}

export async function fixtureEdge(fx: MatrixFixture) {
  const [a, b] = [await fixtureNote(fx), await fixtureNote(fx)];
  const [edge] = await fx.db.insert(canvasEdges).values({ projectId: fx.project.id, fromKey: `n:${a.id}`, toKey: `n:${b.id}`, authorId: fx.owner.id }).returning();
  if (!edge) throw new Error("edge insert returned nothing");
  return edge;
}

/** A comment on an answer, written by the caller when there is one (else by the owner). */
export async function fixtureComment(fx: MatrixFixture) {
  const { answer } = await fixtureMessages(fx);
  const [comment] = await fx.db
    .insert(comments)
    .values({ projectId: fx.project.id, targetKey: `m:${answer.id}`, messageId: answer.id, body: "Matrix comment", authorId: fx.caller?.id ?? fx.owner.id })
    .returning();
  if (!comment) throw new Error("comment insert returned nothing");
  return comment;
}

/** A live link to a fixture chat, made by the owner: its token. */
export async function fixtureShareToken(fx: MatrixFixture) {
  const chat = await fixtureChat(fx);
  const { url } = await createShareLink(fx.db, { projectId: fx.project.id, chatId: chat.id, mode: "live", by: fx.owner.id });
  return url.split("/share/")[1] ?? "";
}

const pid = (fx: MatrixFixture) => ({ projectId: fx.project.id });

const AGENT_INPUT = { name: "Matrix agent", instructions: "Be brief.", defaultTier: "auto", defaultModel: null, temperature: 0.2, maxTokens: 256, scope: "vault", sourceIds: [] } as const;

/** A ready adapter row (no stored object: the matrix exercises roles, not bytes). */
export async function fixtureAdapter(fx: MatrixFixture) {
  const [row] = await fx.db
    .insert(adapters)
    .values({
      projectId: fx.project.id,
      uploadedBy: fx.owner.id,
      name: "Matrix adapter",
      fileName: "matrix.safetensors",
      baseModel: "base",
      servedName: "matrix",
      sizeBytes: 10,
      sha256: randomHex64(),
      status: "ready",
      rank: 8,
    })
    .returning();
  if (!row) throw new Error("adapter insert returned nothing");
  return row;
}

function randomHex64(): string {
  return Array.from({ length: 64 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
}

export async function fixtureAgent(fx: MatrixFixture) {
  return createAgent(fx.db, { projectId: fx.project.id, by: fx.owner.id, input: { ...AGENT_INPUT, sourceIds: [] } });
}
/** A stored passkey of the caller (its key material is never checked by rename or remove). */
async function fixturePasskey(fx: MatrixFixture) {
  const [row] = await fx.db
    .insert(passkeys)
    .values({ userId: (fx.caller ?? fx.owner).id, credentialId: `cred-${Math.random().toString(36).slice(2)}`, publicKey: "AA", name: "Matrix key" })
    .returning();
  if (!row) throw new Error("passkey insert returned nothing");
  return row;
}
const NIL_UUID = "00000000-0000-4000-8000-000000000000";

export const AUTHZ_MATRIX: Record<string, MatrixEntry> = {
  // ── account (the signed-in person's own data) ──
  "account.preferences": { min: "signed-in" },
  "account.updatePreferences": { min: "signed-in", input: () => ({ tone: "friendly" }) },
  "account.securityEvents": { min: "signed-in" },
  "account.profile": { min: "signed-in" },
  "account.requestExport": { min: "signed-in" },
  "account.deletion": { min: "signed-in" },
  // the caller's own email confirms; owners of projects with members are refused (conflict), which is not a denial
  "account.scheduleDeletion": { min: "signed-in", input: (fx) => ({ confirmEmail: (fx.caller ?? fx.owner).email }) },
  "account.latestExport": { min: "signed-in" },
  "account.exportDownloadLink": {
    min: "signed-in",
    // a ready export of the caller's own (anonymous: of the owner's, which it may not reach either)
    input: async (fx) => {
      const [row] = await fx.db
        .insert(accountExports)
        .values({ userId: (fx.caller ?? fx.owner).id, status: "ready", progress: 100, zip: new Uint8Array([1]), sizeBytes: 1, expiresAt: new Date(Date.now() + 60_000) })
        .returning({ id: accountExports.id });
      return { exportId: row?.id ?? "" };
    },
  },
  "account.rename": { min: "signed-in", input: () => ({ name: "Renamed Person" }) },

  // ── how the caller signs in (always their own sessions and factors) ──
  "accountSecurity.signedIn": { min: "public" },
  "accountSecurity.signInMethods": { min: "signed-in" },
  "accountSecurity.sessions": { min: "signed-in" },
  "accountSecurity.endSession": {
    min: "signed-in",
    input: async (fx) => {
      const userId = (fx.caller ?? fx.owner).id;
      const token = await createServerSession(fx.db, { userId });
      const [row] = await fx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.sessionToken, token));
      return { sessionId: row?.id };
    },
  },
  "accountSecurity.endOtherSessions": { min: "signed-in" },
  // a wrong current password is the domain's answer (BAD_REQUEST) after the sign-in check
  "accountSecurity.changePassword": { min: "signed-in", input: () => ({ currentPassword: "not the password", newPassword: "a brand new password" }) },
  "accountSecurity.requestEmailChange": { min: "signed-in", input: () => ({ newEmail: `moved-${Math.random().toString(36).slice(2)}@example.com` }) },
  "accountSecurity.totpStatus": { min: "signed-in" },
  "accountSecurity.startTotp": { min: "signed-in" },
  "accountSecurity.confirmTotp": { min: "signed-in", input: () => ({ code: "000000" }) },
  "accountSecurity.disableTotp": { min: "signed-in", input: () => ({ password: null, code: "000000" }) },
  "accountSecurity.regenerateRecoveryCodes": { min: "signed-in", input: () => ({ password: null, code: "000000" }) },
  "accountSecurity.passkeys": { min: "signed-in" },
  "accountSecurity.passkeyRegistrationOptions": { min: "signed-in" },
  // a made-up browser answer is refused by the signature check (BAD_REQUEST), after the sign-in check
  "accountSecurity.registerPasskey": { min: "signed-in", input: () => ({ response: { id: "bm90LWEta2V5", rawId: "bm90LWEta2V5", type: "public-key", response: {}, clientExtensionResults: {} }, name: "Matrix key" }) },
  "accountSecurity.renamePasskey": { min: "signed-in", input: async (fx) => ({ passkeyId: (await fixturePasskey(fx)).id, name: "Renamed" }) },
  "accountSecurity.removePasskey": { min: "signed-in", input: async (fx) => ({ passkeyId: (await fixturePasskey(fx)).id }) },

  // ── personal access tokens (always the caller's own) ──
  "tokens.list": { min: "signed-in" },
  "tokens.create": { min: "signed-in", input: () => ({ name: "Matrix token", scopes: ["read"], expiresInDays: 7 }) },
  "tokens.revoke": {
    min: "signed-in",
    input: async (fx) => {
      const made = await createAccessToken(fx.db, { userId: (fx.caller ?? fx.owner).id, name: "Matrix", scopes: ["read"] });
      return { tokenId: made.id };
    },
  },

  // ── devices (always the caller's own; a pairing code is anyone's to confirm while it lives) ──
  "devices.list": { min: "signed-in" },
  "devices.lookUpPairing": { min: "signed-in", input: async (fx) => ({ userCode: (await fixturePairing(fx)).user_code }) },
  "devices.approvePairing": { min: "signed-in", input: async (fx) => ({ userCode: (await fixturePairing(fx)).user_code, name: "Matrix box", projectIds: [] }) },
  "devices.denyPairing": { min: "signed-in", input: async (fx) => ({ userCode: (await fixturePairing(fx)).user_code }) },
  "devices.vitals": {
    min: "signed-in",
    input: async (fx) => {
      const pairing = await fixturePairing(fx);
      const made = await approvePairing(fx.db, { userId: (fx.caller ?? fx.owner).id, ip: "10.9.9.9", userCode: pairing.user_code, name: "Matrix box", projectIds: [] });
      return { deviceId: made.deviceId, range: "1h" };
    },
  },
  "devices.projectLocalDevice": { min: "editor", input: pid },
  "devices.setProjectLocalDevice": { min: "owner", input: (fx) => ({ ...pid(fx), deviceId: null }) },
  "devices.offers": { min: "editor", input: pid },
  "devices.offer": { min: "editor", input: async (fx) => ({ ...pid(fx), deviceId: await fixtureDevice(fx, fx.caller ?? fx.owner) }) },
  "devices.withdrawOffer": { min: "editor", input: async (fx) => ({ ...pid(fx), deviceId: await fixtureOffer(fx, fx.caller ?? fx.owner) }) },
  "devices.allowOffer": { min: "owner", input: async (fx) => ({ ...pid(fx), deviceId: await fixtureOffer(fx, fx.members.editor) }) },
  "devices.revokeOffer": { min: "owner", input: async (fx) => ({ ...pid(fx), deviceId: await fixtureOffer(fx, fx.members.editor) }) },
  "devices.remove": {
    min: "signed-in",
    input: async (fx) => {
      const pairing = await fixturePairing(fx);
      const made = await approvePairing(fx.db, { userId: (fx.caller ?? fx.owner).id, ip: "10.9.9.9", userCode: pairing.user_code, name: "Matrix box", projectIds: [] });
      return { deviceId: made.deviceId };
    },
  },

  // ── projects ──
  "projects.list": { min: "signed-in" },
  "projects.create": { min: "signed-in", input: () => ({ title: "Matrix" }) },
  "projects.cloudModels": { min: "signed-in" },
  "projects.get": { min: "viewer", input: pid },
  "projects.rename": { min: "owner", input: (fx) => ({ ...pid(fx), title: "Renamed" }) },
  "projects.setArchived": { min: "owner", input: (fx) => ({ ...pid(fx), archived: true }) },
  "projects.updateSettings": { min: "editor", input: (fx) => ({ ...pid(fx), systemPrompt: "Be brief." }) },
  "projects.delete": { min: "owner", input: (fx) => ({ ...pid(fx), confirmTitle: fx.project.title }) },

  // ── knowledge ──
  "knowledge.list": { min: "viewer", input: pid },
  "knowledge.source": { min: "viewer", input: async (fx) => ({ ...pid(fx), sourceId: (await fixtureSource(fx)).id }) },
  "knowledge.search": { min: "viewer", input: (fx) => ({ ...pid(fx), query: "notes" }) },
  "knowledge.paste": { min: "editor", input: (fx) => ({ ...pid(fx), title: "Matrix note", text: `Pasted ${Math.random()}` }) },
  // a loopback link: allowed callers get past the role check and are refused for the address (BAD_REQUEST)
  "knowledge.fetchUrl": { min: "editor", input: (fx) => ({ ...pid(fx), url: "http://127.0.0.1/" }) },
  "knowledge.retry": {
    min: "editor",
    input: async (fx) => {
      const source = await fixtureSource(fx);
      await fx.db.update(sources).set({ status: "failed", error: "matrix" }).where(eq(sources.id, source.id));
      return { ...pid(fx), sourceId: source.id };
    },
  },
  "knowledge.delete": { min: "editor", input: async (fx) => ({ ...pid(fx), sourceId: (await fixtureSource(fx)).id }) },

  // ── chat ──
  "chat.list": { min: "viewer", input: pid },
  "chat.create": { min: "editor", input: pid },
  "chat.rename": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id, title: "Renamed" }) },
  "chat.delete": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id }) },
  "chat.thread": { min: "viewer", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureMessages(fx)).chat.id }) },
  // ── trash ──
  "trash.list": { min: "editor", input: pid },
  "trash.moveMessage": { min: "editor", input: async (fx) => ({ ...pid(fx), messageId: (await fixtureMessages(fx)).answer.id }) },
  "trash.moveChat": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id }) },
  "trash.restore": { min: "editor", input: async (fx) => ({ ...pid(fx), trashId: (await fixtureTrashItem(fx)).trashId }) },
  "trash.deleteForever": { min: "owner", input: async (fx) => ({ ...pid(fx), trashId: (await fixtureTrashItem(fx)).trashId }) },
  "chat.switchSibling": {
    min: "viewer",
    input: async (fx) => {
      const m = await fixtureMessages(fx);
      return { ...pid(fx), chatId: m.chat.id, branchId: m.branchId, messageId: m.answer.id };
    },
  },
  "chat.fork": {
    min: "editor",
    input: async (fx) => {
      const m = await fixtureMessages(fx);
      return { ...pid(fx), chatId: m.chat.id, messageId: m.question.id };
    },
  },
  "chat.renameBranch": { min: "editor", input: async (fx) => ({ ...pid(fx), branchId: (await fixtureChat(fx)).mainBranchId, title: "Side" }) },
  "chat.archiveBranch": { min: "editor", input: async (fx) => ({ ...pid(fx), branchId: (await fixtureChat(fx)).mainBranchId, archived: true }) },
  "chat.feedback": { min: "commenter", input: async (fx) => ({ ...pid(fx), messageId: (await fixtureMessages(fx)).answer.id, value: "good" }) },
  "chat.stop": { min: "editor", input: async (fx) => ({ ...pid(fx), streamId: (await fixtureStream(fx)).id }) },
  "chat.exportMarkdown": {
    min: "viewer",
    input: async (fx) => {
      const m = await fixtureMessages(fx);
      return { ...pid(fx), chatId: m.chat.id, branchId: m.branchId };
    },
  },
  "chat.exportTree": { min: "viewer", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureMessages(fx)).chat.id }) },
  "chat.escalationStatus": { min: "viewer", input: pid },
  "chat.models": { min: "viewer", input: pid },
  "chat.setAgent": {
    min: "editor",
    input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id, agentId: (await fixtureAgent(fx)).id }),
  },

  // ── request logs (owner only) ──
  "requestLogs.list": { min: "owner", input: (fx) => ({ ...pid(fx), filter: {} }) },
  "requestLogs.csv": { min: "owner", input: (fx) => ({ ...pid(fx), filter: { status: "complete" } }) },
  "requestLogs.setRetention": { min: "owner", input: (fx) => ({ ...pid(fx), days: 14 }) },
  "requestLogs.members": { min: "owner", input: pid },
  "requestLogs.entry": {
    min: "owner",
    input: async (fx) => {
      const [row] = await fx.db.insert(requestLogs).values({ projectId: fx.project.id, actorId: fx.owner.id, provider: "anthropic", model: "claude-haiku-5-5", tier: "cloud", status: "complete", latencyMs: 10 }).returning();
      if (!row) throw new Error("no log row");
      return { ...pid(fx), id: row.id };
    },
  },
  "requestLogs.setKeepBodies": { min: "owner", input: (fx) => ({ ...pid(fx), enabled: true }) },

  // ── a project's own providers (owner only: they hold a key and set the prices members pay by) ──
  "providers.list": { min: "owner", input: pid },
  "providers.add": { min: "owner", input: (fx) => ({ ...pid(fx), name: "Matrix", baseUrl: "http://127.0.0.1:9/v1" }) },
  "providers.refresh": { min: "owner", input: async (fx) => ({ ...pid(fx), providerId: (await fixtureProvider(fx)).providerId }) },
  "providers.setPrices": {
    min: "owner",
    input: async (fx) => {
      const { providerId, modelId } = await fixtureProvider(fx);
      return { ...pid(fx), providerId, prices: [{ modelId, inputMicrosPerMTok: 1000, outputMicrosPerMTok: 2000 }] };
    },
  },
  "providers.setLocalTier": { min: "owner", input: (fx) => ({ ...pid(fx), modelId: null }) },
  "providers.remove": { min: "owner", input: async (fx) => ({ ...pid(fx), providerId: (await fixtureProvider(fx)).providerId }) },

  // ── the operator's tools: ARBOR_OPERATOR_EMAILS names nobody here, so every caller is refused ──
  "admin.modelPrices": { min: "signed-in", except: { nonMember: "denied", viewer: "denied", commenter: "denied", editor: "denied", owner: "denied" } },
  "admin.updateModelPrice": {
    min: "signed-in",
    input: () => ({ model: "claude-haiku-5-5", inputMicrosPerMTok: 1, outputMicrosPerMTok: 1, deprecated: false }),
    except: { nonMember: "denied", viewer: "denied", commenter: "denied", editor: "denied", owner: "denied" },
  },

  // ── adapters ──
  "adapters.list": { min: "viewer", input: pid },
  "adapters.update": { min: "editor", input: async (fx) => ({ ...pid(fx), adapterId: (await fixtureAdapter(fx)).id, servedName: "renamed" }) },
  "adapters.select": { min: "editor", input: async (fx) => ({ ...pid(fx), target: { kind: "chat", chatId: (await fixtureChat(fx)).id }, adapterId: (await fixtureAdapter(fx)).id }) },
  "adapters.delete": { min: "editor", input: async (fx) => ({ ...pid(fx), adapterId: (await fixtureAdapter(fx)).id }) },

  // ── agents ──
  "agents.list": { min: "viewer", input: pid },
  "agents.create": { min: "editor", input: (fx) => ({ ...pid(fx), agent: AGENT_INPUT }) },
  "agents.update": { min: "editor", input: async (fx) => ({ ...pid(fx), agentId: (await fixtureAgent(fx)).id, agent: { ...AGENT_INPUT, name: "Renamed" } }) },
  "agents.archive": { min: "editor", input: async (fx) => ({ ...pid(fx), agentId: (await fixtureAgent(fx)).id }) },
  "chat.details": { min: "viewer", input: async (fx) => ({ ...pid(fx), messageId: (await fixtureMessages(fx)).answer.id }) },
  "chat.setModel": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id, choice: { tier: "local" } }) },
  "chat.estimate": {
    min: "editor",
    input: async (fx) => {
      const m = await fixtureMessages(fx);
      return { ...pid(fx), chatId: m.chat.id, parentId: m.answer.id, content: "And clay?", tier: "local" };
    },
  },
  "chat.setArchived": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id, archived: true }) },

  // ── search (only what the caller can read; "everywhere" scopes by membership in the query) ──
  "search.projectMessages": { min: "viewer", input: (fx) => ({ ...pid(fx), query: "soil" }) },
  "search.everywhereMessages": { min: "signed-in", input: () => ({ query: "soil" }) },
  "search.projectPalette": { min: "viewer", input: (fx) => ({ ...pid(fx), query: "matrix" }) },
  "search.everywherePalette": { min: "signed-in", input: () => ({ query: "matrix" }) },

  // ── share links (editors share and end their own; the owner ends any; the token is the permission to read) ──
  "share.create": { min: "editor", input: async (fx) => ({ ...pid(fx), chatId: (await fixtureChat(fx)).id, mode: "live" }) },
  "share.list": { min: "editor", input: pid },
  "share.revoke": {
    min: "editor",
    input: async (fx) => {
      const chat = await fixtureChat(fx);
      const { link } = await createShareLink(fx.db, { projectId: fx.project.id, chatId: chat.id, mode: "live", by: (fx.caller ?? fx.owner).id });
      return { ...pid(fx), linkId: link.id };
    },
  },
  // ── notifications (always the caller's own; mention candidates for those who may comment) ──
  "notifications.bell": { min: "signed-in" },
  "notifications.mailChoices": { min: "signed-in" },
  "notifications.setMailChoice": { min: "signed-in", input: () => ({ kind: "activity", on: false }) },
  "notifications.unread": { min: "signed-in" },
  "notifications.markRead": { min: "signed-in", input: () => ({}) },
  "notifications.preferences": { min: "signed-in" },
  "notifications.setPreference": { min: "signed-in", input: () => ({ category: "comment", channel: "mail" }) },
  "notifications.mentionCandidates": { min: "commenter", input: (fx) => ({ ...pid(fx), prefix: "u" }) },
  "share.view": { min: "public", input: async (fx) => ({ token: await fixtureShareToken(fx) }) },
  // the role is checked on the project the copy goes into
  "share.copy": { min: "editor", input: async (fx) => ({ ...pid(fx), token: await fixtureShareToken(fx) }) },

  // ── canvas ──
  "canvas.board": { min: "viewer", input: pid },
  "canvas.changes": { min: "viewer", input: (fx) => ({ ...pid(fx), since: new Date(Date.now() - 60_000) }) },
  "canvas.messageText": { min: "viewer", input: async (fx) => ({ ...pid(fx), messageId: (await fixtureMessages(fx)).answer.id }) },
  "canvas.moveNodes": { min: "editor", input: async (fx) => ({ ...pid(fx), moves: [{ key: `m:${(await fixtureMessages(fx)).answer.id}`, x: 10, y: 20 }] }) },
  "canvas.setLocked": { min: "editor", input: async (fx) => ({ ...pid(fx), key: `m:${(await fixtureMessages(fx)).answer.id}`, locked: true, x: 1, y: 2 }) },
  "canvas.addNote": { min: "editor", input: (fx) => ({ ...pid(fx), text: "A note", x: 0, y: 0 }) },
  "canvas.editNote": { min: "editor", input: async (fx) => ({ ...pid(fx), noteId: (await fixtureNote(fx)).id, text: "Edited" }) },
  "canvas.deleteNote": { min: "editor", input: async (fx) => ({ ...pid(fx), noteId: (await fixtureNote(fx)).id }) },
  "canvas.createEdge": {
    min: "editor",
    input: async (fx) => {
      const m = await fixtureMessages(fx);
      return { ...pid(fx), fromKey: `m:${m.question.id}`, toKey: `n:${(await fixtureNote(fx)).id}` };
    },
  },
  "canvas.updateEdge": { min: "editor", input: async (fx) => ({ ...pid(fx), edgeId: (await fixtureEdge(fx)).id, label: "because" }) },
  "canvas.deleteEdge": { min: "editor", input: async (fx) => ({ ...pid(fx), edgeId: (await fixtureEdge(fx)).id }) },
  "canvas.comments": { min: "viewer", input: async (fx) => ({ ...pid(fx), targetKey: `m:${(await fixtureMessages(fx)).answer.id}` }) },
  "canvas.addComment": { min: "commenter", input: async (fx) => ({ ...pid(fx), targetKey: `m:${(await fixtureMessages(fx)).answer.id}`, body: "Nice" }) },
  // Comments are the caller's own here (authors may edit, resolve and delete theirs).
  "canvas.editComment": { min: "commenter", input: async (fx) => ({ ...pid(fx), commentId: (await fixtureComment(fx)).id, body: "Edited" }) },
  "canvas.resolveComment": { min: "commenter", input: async (fx) => ({ ...pid(fx), commentId: (await fixtureComment(fx)).id, resolved: true }) },
  "canvas.deleteComment": { min: "commenter", input: async (fx) => ({ ...pid(fx), commentId: (await fixtureComment(fx)).id }) },

  // ── collab ──
  "collab.createInvite": { min: "owner", input: (fx) => ({ ...pid(fx), role: "viewer", quotaUsd: "1", expiresInHours: 24 }) },
  "collab.invites": { min: "owner", input: pid },
  "collab.revokeInvite": {
    min: "owner",
    input: async (fx) => {
      const { invite } = await createInvite(fx.db, { projectId: fx.project.id, hostId: fx.owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 1 });
      return { ...pid(fx), inviteId: invite.id };
    },
  },
  "collab.invitePreview": {
    min: "public",
    input: async (fx) => ({
      token: (await createInvite(fx.db, { projectId: fx.project.id, hostId: fx.owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 1 })).token,
    }),
  },
  "collab.acceptInvite": {
    min: "signed-in",
    input: async (fx) => ({
      token: (await createInvite(fx.db, { projectId: fx.project.id, hostId: fx.owner.id, role: "viewer", quotaMicros: 0n, expiresInHours: 1 })).token,
    }),
  },
  "collab.members": { min: "viewer", input: pid },
  "collab.changeRole": { min: "owner", input: (fx) => ({ ...pid(fx), userId: fx.members.viewer.id, role: "commenter" }) },
  "collab.changeQuota": { min: "owner", input: (fx) => ({ ...pid(fx), userId: fx.members.viewer.id, quotaUsd: "3" }) },
  "collab.removeMember": { min: "owner", input: (fx) => ({ ...pid(fx), userId: fx.members.viewer.id }) },
  // Any member may leave; the owner's refusal is a BAD_REQUEST ("hand it over"), not an authorization denial.
  "collab.leave": { min: "viewer", input: pid },
  "collab.activity": { min: "viewer", input: pid },
  "collab.unreadActivity": { min: "viewer", input: pid },
  "collab.markActivitySeen": { min: "viewer", input: pid },
  "collab.startHandover": {
    min: "owner",
    input: (fx) => ({ ...pid(fx), toEmail: "next-owner@example.com", includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" }),
  },
  // Any member may ask; each sees only the handovers they started (none, for non-owners).
  "collab.handover": { min: "viewer", input: pid },
  "collab.cancelHandover": {
    min: "owner",
    input: async (fx) => {
      const { handover } = await startHandover(fx.db, {
        projectId: fx.project.id,
        fromUserId: fx.owner.id,
        toEmail: "next-owner@example.com",
        includeKnowledge: true,
        includeAdapters: true,
        previousOwnerLeaves: false,
        message: "",
      });
      return { ...pid(fx), handoverId: handover.id };
    },
  },
  "collab.handoverPreview": {
    min: "public",
    input: async (fx) => ({
      token: (
        await startHandover(fx.db, {
          projectId: fx.project.id,
          fromUserId: fx.owner.id,
          toEmail: "next-owner@example.com",
          includeKnowledge: true,
          includeAdapters: true,
          previousOwnerLeaves: false,
          message: "",
        })
      ).token,
    }),
  },
  // Only the addressee may accept: each caller gets a handover addressed to them — except the
  // owner, who cannot hand over to themselves, so theirs is addressed to someone else (denied).
  "collab.acceptHandover": {
    min: "signed-in",
    except: { owner: "denied" },
    input: async (fx) => ({
      token: (
        await startHandover(fx.db, {
          projectId: fx.project.id,
          fromUserId: fx.owner.id,
          toEmail: fx.caller && fx.caller.id !== fx.owner.id ? fx.caller.email : "someone-else@example.com",
          includeKnowledge: true,
          includeAdapters: true,
          previousOwnerLeaves: false,
          message: "",
        })
      ).token,
    }),
  },

  // Like accept: only the addressee may decline.
  "collab.declineHandover": {
    min: "signed-in",
    except: { owner: "denied" },
    input: async (fx) => ({
      token: (
        await startHandover(fx.db, {
          projectId: fx.project.id,
          fromUserId: fx.owner.id,
          toEmail: fx.caller && fx.caller.id !== fx.owner.id ? fx.caller.email : "someone-else@example.com",
          includeKnowledge: true,
          includeAdapters: true,
          previousOwnerLeaves: false,
          message: "",
        })
      ).token,
    }),
  },

  // ── billing ── (a person's own account: any signed-in person; a project's tab: its owner)
  "billing.summary": { min: "signed-in" },
  "billing.setCeiling": { min: "signed-in", input: () => ({ ceilingMicros: 5_000_000n }) },
  // too short to be a key: allowed callers are refused as BAD_REQUEST before any call to Anthropic
  "billing.addKey": { min: "signed-in", input: () => ({ apiKey: "short" }) },
  "billing.removeKey": { min: "signed-in" },
  "billing.usage": { min: "signed-in", input: () => ({ from: "2026-11-01", to: "2026-11-30" }) },
  "billing.exportCsv": { min: "signed-in", input: () => ({ from: "2026-11-01", to: "2026-11-30" }) },
  "billing.invoices": { min: "signed-in" },
  "billing.notifications": { min: "signed-in" },
  "billing.markNotificationsRead": { min: "signed-in" },
  "billing.project": { min: "owner", input: (fx) => ({ ...pid(fx), from: "2026-11-01", to: "2026-11-30" }) },
  "billing.projectCsv": { min: "owner", input: (fx) => ({ ...pid(fx), from: "2026-11-01", to: "2026-11-30" }) },
};

export { NIL_UUID };
