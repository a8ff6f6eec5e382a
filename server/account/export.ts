import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { strToU8, zipSync } from "fflate";
import { type Db, queryRows } from "@/db/client";
import {
  type AccountExport,
  accountExports,
  blobs,
  branches,
  canvasEdges,
  canvasNodes,
  chats,
  comments,
  notificationPreferences,
  projects,
  sources,
  usageEvents,
  users,
} from "@/db/schema";
import { exportBranchMarkdown, exportTree } from "@/server/chat/export";
import { AppError } from "@/server/errors";
import { listConsents } from "./consents";
import { getPreferences } from "./preferences";

/** A built zip is kept this long, then deleted by the worker. */
export const EXPORT_KEEP_MS = 7 * 24 * 60 * 60_000;
/** A download link works this long after it is made. */
export const DOWNLOAD_LINK_MS = 15 * 60_000;
/** A worker that has not finished a build in this long is presumed dead; another takes it. */
const LEASE_MS = 10 * 60_000;

export type ExportView = Pick<AccountExport, "id" | "status" | "progress" | "step" | "error" | "sizeBytes" | "createdAt" | "finishedAt" | "expiresAt">;

function view(row: AccountExport): ExportView {
  return { id: row.id, status: row.status, progress: row.progress, step: row.step, error: row.error, sizeBytes: row.sizeBytes, createdAt: row.createdAt, finishedAt: row.finishedAt, expiresAt: row.expiresAt };
}

/** Ask for a new export. One at a time: while one is queued or building, asking again returns it. */
export async function requestExport(db: Db, { userId }: { userId: string }): Promise<ExportView> {
  return db.transaction(async (tx) => {
    // one person's requests serialise on their user row, so two clicks never queue two builds
    await tx.execute(sql`select id from users where id = ${userId} for update`);
    const [open] = await tx
      .select()
      .from(accountExports)
      .where(and(eq(accountExports.userId, userId), inArray(accountExports.status, ["queued", "building"])));
    if (open) return view(open);
    const [row] = await tx.insert(accountExports).values({ userId, step: "Waiting to start" }).returning();
    if (!row) throw new Error("export insert returned nothing");
    return view(row);
  });
}

/** The caller's newest export, or null. */
export async function latestExport(db: Db, { userId }: { userId: string }): Promise<ExportView | null> {
  const [row] = await db.select().from(accountExports).where(eq(accountExports.userId, userId)).orderBy(desc(accountExports.createdAt)).limit(1);
  return row ? view(row) : null;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/**
 * A short-lived link to a ready export of the caller's own. The token is
 * shown once (in the URL) and stored only as its SHA-256; making a new link
 * replaces the old one.
 */
export async function createDownloadLink(db: Db, { userId, exportId }: { userId: string; exportId: string }): Promise<{ url: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + DOWNLOAD_LINK_MS);
  const [row] = await db
    .update(accountExports)
    .set({ downloadTokenHash: hashToken(token), downloadTokenExpiresAt: expiresAt })
    .where(and(eq(accountExports.id, exportId), eq(accountExports.userId, userId), eq(accountExports.status, "ready"), sql`${accountExports.expiresAt} > now()`))
    .returning({ id: accountExports.id });
  if (!row) throw new AppError("not_found:export", "That export is not ready, has expired, or is not yours. Start a new one.");
  return { url: `/api/account/export/${row.id}?token=${token}`, expiresAt };
}

/**
 * The zip, for the Route Handler: only to its owner (signed in as them) with
 * the link's token, before the link and the export expire. Anything else is
 * one not-found answer, so a guess learns nothing.
 */
export async function downloadExport(db: Db, { userId, exportId, token }: { userId: string; exportId: string; token: string }): Promise<Uint8Array> {
  const missing = new AppError("not_found:export", "This download link is not valid or has expired. Make a new one from your account page.");
  if (!/^[0-9a-f-]{36}$/.test(exportId) || !token) throw missing;
  const [row] = await db.select().from(accountExports).where(and(eq(accountExports.id, exportId), eq(accountExports.userId, userId)));
  if (row?.status !== "ready" || !row.zip || !row.downloadTokenHash || !row.downloadTokenExpiresAt) throw missing;
  if (row.downloadTokenExpiresAt.getTime() <= Date.now() || (row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY) <= Date.now()) throw missing;
  const a = Buffer.from(row.downloadTokenHash);
  const b = Buffer.from(hashToken(token));
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw missing;
  return row.zip;
}

// --- building ------------------------------------------------------------------------------------

/** A file or folder name from a title: readable, no separators, unique by the id suffix. */
function slug(title: string, id: string): string {
  const base = title
    .normalize("NFKD")
    .replace(/[^\w\s.-]/g, "")
    .trim()
    .replace(/\s+/g, "-")
    .slice(0, 50);
  return `${base || "untitled"}-${id.slice(0, 8)}`;
}

const json = (value: unknown) => strToU8(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);

/**
 * Everything the person owns, as a map of zip paths to bytes: their account
 * (profile, preferences, consents, mail choices), every project they own with
 * every chat as a tree (JSON) and each branch as Markdown, its knowledge
 * sources with their original files, its canvas and comments; the comments
 * they wrote in others' projects; and the usage they paid for or caused.
 * Calls `onStep` between projects, for the progress bar.
 */
export async function collectExport(db: Db, { userId, onStep }: { userId: string; onStep?: (progress: number, step: string) => Promise<void> }): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const [user] = await db.select({ id: users.id, name: users.name, email: users.email, createdAt: users.createdAt }).from(users).where(eq(users.id, userId));
  if (!user) throw new Error("export for a user that no longer exists");
  files["account.json"] = json({
    format: "arbor.account.v1",
    exportedAt: new Date(),
    profile: user,
    preferences: await getPreferences(db, { userId }),
    consents: await listConsents(db, { userId }),
    notificationPreferences: await db.select({ category: notificationPreferences.category, channel: notificationPreferences.channel }).from(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
  });
  const owned = await db.select().from(projects).where(eq(projects.ownerId, userId)).orderBy(asc(projects.createdAt));
  let done = 0;
  for (const project of owned) {
    await onStep?.(Math.round(5 + (done / Math.max(owned.length, 1)) * 85), `Project “${project.title}” (${done + 1} of ${owned.length})`);
    const dir = `projects/${slug(project.title, project.id)}`;
    files[`${dir}/project.json`] = json({ id: project.id, title: project.title, description: project.description, icon: project.icon, status: project.status, settings: project.settings, createdAt: project.createdAt });
    for (const chat of await db.select().from(chats).where(and(eq(chats.projectId, project.id), isNull(chats.trashId))).orderBy(asc(chats.createdAt))) {
      const chatDir = `${dir}/chats/${slug(chat.title, chat.id)}`;
      files[`${chatDir}/tree.json`] = json(await exportTree(db, { projectId: project.id, chatId: chat.id }));
      for (const branch of await db.select().from(branches).where(eq(branches.chatId, chat.id)).orderBy(asc(branches.createdAt))) {
        files[`${chatDir}/branches/${slug(branch.title, branch.id)}.md`] = strToU8(await exportBranchMarkdown(db, { projectId: project.id, chatId: chat.id, branchId: branch.id }));
      }
    }
    const projectSources = await db.select().from(sources).where(eq(sources.projectId, project.id)).orderBy(asc(sources.createdAt));
    files[`${dir}/knowledge/sources.json`] = json(
      projectSources.map((s) => ({ id: s.id, title: s.title, mediaType: s.mediaType, origin: s.origin, url: s.url, sizeBytes: s.sizeBytes, summary: s.summary, keywords: s.keywords, status: s.status, createdAt: s.createdAt })),
    );
    for (const s of projectSources) {
      const sha = s.originalSha256 ?? s.extractedSha256;
      if (!sha) continue;
      const [blob] = await db.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.sha256, sha));
      if (blob) files[`${dir}/knowledge/files/${slug(s.title.replace(/\.[^.]+$/, ""), s.id)}${extensionOf(s.title, s.mediaType)}`] = new Uint8Array(blob.bytes);
    }
    files[`${dir}/canvas.json`] = json({
      nodes: await db.select().from(canvasNodes).where(eq(canvasNodes.projectId, project.id)),
      edges: await db.select().from(canvasEdges).where(eq(canvasEdges.projectId, project.id)),
    });
    files[`${dir}/comments.json`] = json(await db.select().from(comments).where(eq(comments.projectId, project.id)).orderBy(asc(comments.createdAt)));
    done += 1;
  }
  await onStep?.(92, "Comments and usage");
  const ownedIds = owned.map((p) => p.id);
  const mine = await db.select().from(comments).where(eq(comments.authorId, userId)).orderBy(asc(comments.createdAt));
  files["comments-in-other-projects.json"] = json(mine.filter((c) => !ownedIds.includes(c.projectId)));
  files["usage.json"] = json(
    await db
      .select({ at: usageEvents.createdAt, projectId: usageEvents.projectId, tier: usageEvents.tier, provider: usageEvents.provider, model: usageEvents.model, tokensIn: usageEvents.tokensIn, tokensOut: usageEvents.tokensOut, netChargeMicros: usageEvents.netChargeMicros, paidByYou: sql<boolean>`${usageEvents.payerId} = ${userId}` })
      .from(usageEvents)
      .where(or(eq(usageEvents.payerId, userId), eq(usageEvents.actorId, userId)))
      .orderBy(asc(usageEvents.createdAt)),
  );
  files["README.txt"] = strToU8(
    [
      "Your Arbor export.",
      "",
      "account.json                 your profile, preferences, consents and mail choices",
      "projects/<project>/          each project you own:",
      "  chats/<chat>/tree.json     the whole chat as a tree (every message with its parent)",
      "  chats/<chat>/branches/*.md each branch, read top to bottom",
      "  knowledge/                 the sources, with the files you added",
      "  canvas.json, comments.json",
      "comments-in-other-projects.json, usage.json (money in micro-USD: 1 USD = 1,000,000)",
      "",
    ].join("\n"),
  );
  return files;
}

function extensionOf(title: string, mediaType: string): string {
  const own = title.match(/\.[A-Za-z0-9]{1,8}$/)?.[0];
  if (own) return own;
  const known: Record<string, string> = { "text/markdown": ".md", "text/plain": ".txt", "text/html": ".html", "application/pdf": ".pdf", "text/csv": ".csv", "application/json": ".json" };
  return known[mediaType] ?? ".bin";
}

/**
 * The *account exports* worker: claim one queued export (or one whose
 * builder died), build it with progress, store the zip. Claimed with skip
 * locked and a lease, so two instances never build one twice. Also drops
 * expired zips. Returns how many it built.
 */
export async function buildPendingExports(db: Db): Promise<number> {
  await db.delete(accountExports).where(and(isNotNull(accountExports.expiresAt), lt(accountExports.expiresAt, new Date())));
  const claimed = await queryRows<{ id: string; user_id: string }>(
    db,
    sql`update account_exports set status = 'building', lease_until = now() + make_interval(secs => ${LEASE_MS / 1000}), step = 'Starting'
        where id = (select id from account_exports where status = 'queued' or (status = 'building' and lease_until < now())
                    order by created_at limit 1 for update skip locked)
        returning id, user_id`,
  );
  const job = claimed[0];
  if (!job) return 0;
  const step = async (progress: number, label: string) => {
    await db.update(accountExports).set({ progress, step: label }).where(eq(accountExports.id, job.id));
  };
  try {
    const files = await collectExport(db, { userId: job.user_id, onStep: step });
    await step(96, "Packing the zip");
    const zip = zipSync({ "arbor-export": files }, { level: 6 });
    await db
      .update(accountExports)
      .set({ status: "ready", progress: 100, step: "Ready", zip, sizeBytes: zip.byteLength, finishedAt: new Date(), expiresAt: new Date(Date.now() + EXPORT_KEEP_MS), leaseUntil: null })
      .where(eq(accountExports.id, job.id));
    return 1;
  } catch (error) {
    console.error("[export] build failed:", error);
    await db.update(accountExports).set({ status: "failed", step: null, error: "The export could not be built. Try again; if it keeps failing, tell us.", leaseUntil: null }).where(eq(accountExports.id, job.id));
    return 0;
  }
}
