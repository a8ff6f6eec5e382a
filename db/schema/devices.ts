import "server-only";
import { sql } from "drizzle-orm";
import { check, foreignKey, index, integer, jsonb, pgTable, primaryKey, real, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, id, ts } from "./columns";
import { projectMembers, projects } from "./projects";

/** What the agent last reported about its tunnel (the agent model's `TunnelStats`). */
export type TunnelStats = {
  totalBytesSent: number;
  totalBytesReceived: number;
  heartbeatsSent: number;
  heartbeatsAcked: number;
  requestsSent: number;
  requestsSucceeded: number;
  requestsFailed: number;
  reconnections: number;
  avgLatencyMs: number;
};

/** The newest vitals, copied onto the device row so the Devices page needs no time-series read (the agent model's `DeviceVitals`). */
export type DeviceVitalsSnapshot = {
  at: string;
  cpu: number;
  memory: number;
  disk: number;
  gpu: number | null;
  gpuTemp: number | null;
  vram: number | null;
  activeSessions: number;
  pendingQueries: number;
  loadedModel: string | null;
};

/**
 * A person's own machine, paired by code (docs/devices.md). Its bearer token
 * (`arbor_dev_…`) is stored only as a hash and is issued once, to the agent
 * that completed the pairing; `token_hash` is null until then.
 */
export const devices = pgTable(
  "devices",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash"),
    tokenPrefix: text("token_prefix"),
    /** the model server the agent says it talks to (display only; Arbor never calls it) */
    modelServer: text("model_server"),
    loadedModel: text("loaded_model"),
    lastHeartbeatAt: ts("last_heartbeat_at"),
    lastLatencyMs: integer("last_latency_ms"),
    lastVitals: jsonb("last_vitals").$type<DeviceVitalsSnapshot>(),
    /** the tunnel as the agent last described it; `offline` is derived from silence, never stored */
    tunnelState: text("tunnel_state", { enum: ["connected", "reconnecting", "failed", "disconnected"] }),
    reconnectAttempt: integer("reconnect_attempt").notNull().default(0),
    lastError: text("last_error"),
    /** the last time a tunnel connection to this device was alive on some instance */
    tunnelSeenAt: ts("tunnel_seen_at"),
    stats: jsonb("stats").$type<TunnelStats>(),
    /** `auto` projects go to the cloud until then (GPU over threshold or a PrewarmSignal) */
    prewarmUntil: ts("prewarm_until"),
    prewarmReason: text("prewarm_reason"),
    /** `gpu`: set by a heartbeat over the threshold and cleared by one under it; `signal`: a PrewarmSignal, which lasts its time */
    prewarmSource: text("prewarm_source", { enum: ["gpu", "signal"] }),
    createdAt: createdAt(),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("devices_token_hash_idx").on(t.tokenHash), index("devices_user_idx").on(t.userId, t.createdAt)],
);
export type Device = typeof devices.$inferSelect;

/** The projects a device was paired for: it may serve their local tier. */
export const deviceProjects = pgTable(
  "device_projects",
  {
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.projectId] }), index("device_projects_project_idx").on(t.projectId)],
);

/**
 * A project's local tier, when it is a device rather than the server-wide
 * LOCAL_MODEL_URL or the vault responder. One row per project; the owner sets it.
 */
export const projectLocalDevices = pgTable("project_local_devices", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  deviceId: uuid("device_id")
    .notNull()
    .references(() => devices.id, { onDelete: "cascade" }),
  setBy: uuid("set_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/**
 * An editor offers one of their own devices to a project; it may serve as the
 * project's local tier once the owner allows it (`allowed_at`). Revoking or
 * withdrawing deletes the row. The offer hangs off the editor's membership
 * (a composite foreign key with cascade), so leaving or being removed ends it
 * in the same statement; the local-tier lookup also checks the role at every
 * turn, so a demoted editor's device stops serving at once.
 */
export const projectDeviceOffers = pgTable(
  "project_device_offers",
  {
    projectId: uuid("project_id").notNull(),
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    offeredBy: uuid("offered_by").notNull(),
    allowedAt: ts("allowed_at"),
    allowedBy: uuid("allowed_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.deviceId] }),
    foreignKey({ columns: [t.projectId, t.offeredBy], foreignColumns: [projectMembers.projectId, projectMembers.userId], name: "project_device_offers_member_fk" }).onDelete("cascade"),
    // an editor's offers, for their Devices page
    index("project_device_offers_offered_by_idx").on(t.offeredBy),
  ],
);
export type ProjectDeviceOffer = typeof projectDeviceOffers.$inferSelect;

/**
 * One RFC 8628 device authorisation: the agent holds the device code (stored
 * hashed), the person types the user code. Single use: `consumed` once the
 * agent has received its token.
 */
export const devicePairings = pgTable(
  "device_pairings",
  {
    id: id(),
    deviceCodeHash: text("device_code_hash").notNull(),
    /** 8 letters without vowels (RFC 8628 section 6.1), stored without the dash */
    userCode: text("user_code").notNull(),
    clientName: text("client_name"),
    modelServer: text("model_server"),
    intervalSeconds: smallint("interval_seconds").notNull().default(5),
    state: text("state", { enum: ["pending", "approved", "denied", "consumed"] }).notNull().default("pending"),
    expiresAt: ts("expires_at").notNull(),
    lastPolledAt: ts("last_polled_at"),
    approvedBy: uuid("approved_by").references(() => users.id, { onDelete: "cascade" }),
    deviceId: uuid("device_id").references(() => devices.id, { onDelete: "cascade" }),
    requestIp: text("request_ip"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("device_pairings_code_hash_idx").on(t.deviceCodeHash),
    // a user code names one live pairing; expired ones are swept
    uniqueIndex("device_pairings_user_code_idx").on(t.userCode),
  ],
);

/**
 * Vitals over time. `resolution` 0 = as heartbeated (kept a day); 300 = a
 * five-minute average of those (kept 30 days), written by the downsampling job.
 */
export const deviceVitals = pgTable(
  "device_vitals",
  {
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    resolution: smallint("resolution").notNull().default(0),
    at: ts("at").notNull(),
    cpu: real("cpu").notNull(),
    memory: real("memory").notNull(),
    disk: real("disk").notNull(),
    gpu: real("gpu"),
    gpuTemp: real("gpu_temp"),
    vram: real("vram"),
    activeSessions: integer("active_sessions").notNull().default(0),
    pendingQueries: integer("pending_queries").notNull().default(0),
    samples: integer("samples").notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.resolution, t.at] }),
    check("device_vitals_ranges_check", sql`${t.cpu} between 0 and 1 and ${t.memory} between 0 and 1 and ${t.disk} between 0 and 1`),
  ],
);

/**
 * A local-tier answer sent down a device's tunnel. The agent appends the
 * generated text in numbered batches (`output_seq`), so a retried POST never
 * doubles text, and the instance writing the answer reads it from here — the
 * tunnel and the answer may live on different instances.
 */
export const deviceJobs = pgTable(
  "device_jobs",
  {
    id: id(),
    deviceId: uuid("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "cascade" }),
    streamId: text("stream_id"),
    request: jsonb("request").$type<{ model: string | null; system: string; messages: Array<{ role: string; content: string }>; maxTokens: number; temperature: number | null }>().notNull(),
    state: text("state", { enum: ["queued", "sent", "streaming", "done", "failed", "stopped"] }).notNull().default("queued"),
    output: text("output").notNull().default(""),
    outputSeq: integer("output_seq").notNull().default(0),
    model: text("model"),
    tokensIn: integer("tokens_in"),
    tokensOut: integer("tokens_out"),
    error: text("error"),
    stopRequestedAt: ts("stop_requested_at"),
    createdAt: createdAt(),
    sentAt: ts("sent_at"),
    firstTokenAt: ts("first_token_at"),
    finishedAt: ts("finished_at"),
  },
  (t) => [index("device_jobs_device_state_idx").on(t.deviceId, t.state, t.createdAt)],
);
export type DeviceJob = typeof deviceJobs.$inferSelect;
