import { type Browser, type BrowserContext, expect, type Page } from "@playwright/test";
import { countTokens, type FakeAnthropic, startFakeAnthropic } from "../testing/fakes/anthropic";
import { type InstanceProxy, PIN_COOKIE, startInstanceProxy } from "../testing/instance-proxy";
import { answers, ask, expectAnswerDone, newProject, openChatTab, setEscalationPolicy, signUpPatiently, test, trpcCall } from "./support/chat-helpers";
import { MAIN_PORT } from "./support/extra-server";
import { freshPostgres, type Instance, instanceEnv, startInstance } from "./support/instances";

/**
 * Several instances on one Postgres, proven (docs/scaling.md): two `next start` instances of the production build on
 * one Postgres, behind a reverse proxy (testing/instance-proxy.ts). An answer
 * started through instance A is resumed through B — from its Last-Event-ID,
 * and after a reload — and watched live through B by another member; then A
 * is killed with SIGKILL mid-answer, and B alone finds the dead producer by
 * its heartbeat (server/chat/stream/recover.ts): within INTERRUPTED_WITHIN_MS
 * the answer is interrupted, keeps the text A wrote, and is charged for it
 * exactly once. docs/scaling.md describes the set-up.
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL;
// Ports of this spec: PORT+3..PORT+6 (money.spec.ts uses PORT+1 and +2).
const PROXY_PORT = MAIN_PORT + 3;
const PORT_A = MAIN_PORT + 4;
const PORT_B = MAIN_PORT + 5;
const FAKE_PORT = MAIN_PORT + 6;
/** The promise of docs/scaling.md: PRODUCER_GONE_AFTER_MS (20 s) + the 5 s sweep, with room for a loaded machine. */
const INTERRUPTED_WITHIN_MS = 30_000;

test.describe.configure({ mode: "serial", timeout: 600_000 });
test.skip(!ADMIN_URL, "Several instances share one Postgres: set TEST_DATABASE_URL (CI does); PGlite is one process's own database.");

let database: Awaited<ReturnType<typeof freshPostgres>>;
let fake: FakeAnthropic;
let proxy: InstanceProxy;
let a: Instance;
let b: Instance;

test.beforeAll(async () => {
  test.setTimeout(420_000);
  database = await freshPostgres(ADMIN_URL as string, "arbor_e2e_instances");
  fake = await startFakeAnthropic(FAKE_PORT);
  proxy = await startInstanceProxy({
    port: PROXY_PORT,
    upstreams: [
      { name: "a", port: PORT_A },
      { name: "b", port: PORT_B },
    ],
  });
  const env = (name: string) => instanceEnv({ databaseUrl: database.url, publicUrl: proxy.url, anthropicUrl: fake.url, dataDir: `/tmp/arbor-e2e-instance-${name}-${process.pid}` });
  // one after the other: the first applies the migrations to the fresh database
  a = await startInstance("a", PORT_A, env("a"));
  b = await startInstance("b", PORT_B, env("b"));
});

test.afterAll(async () => {
  await a?.kill("SIGTERM");
  await b?.kill("SIGTERM");
  await proxy?.close();
  await fake?.close();
  await database?.drop();
});

/** A browser of its own, on the proxy, pinned to one instance (the proxy routes by this cookie). */
async function personOn(browser: Browser, instance: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: proxy.url });
  await pin(context, instance);
  return { context, page: await context.newPage() };
}

async function pin(context: BrowserContext, instance: string) {
  await context.addCookies([{ name: PIN_COOKIE, value: instance, url: proxy.url }]);
}

/** The words word1 … wordN in order, each exactly once: nothing lost, nothing doubled. */
function expectWordsInOrder(text: string) {
  const numbers = [...text.matchAll(/word(\d+)/g)].map((m) => Number(m[1]));
  expect(numbers.length).toBeGreaterThan(0);
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
}

/** Reads a stream through the proxy from the browser, the way the page resumes one, until `count` events arrived. */
function readEvents(page: Page, streamId: string, lastEventId: number, count: number) {
  return page.evaluate(
    async ({ streamId, lastEventId, count }) => {
      const abort = new AbortController();
      const response = await fetch(`/api/chat/${streamId}`, { headers: { "Last-Event-ID": String(lastEventId) }, signal: abort.signal, cache: "no-store" });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      const events: Array<{ id: number; data: { type: string; text?: string } }> = [];
      let buffer = "";
      while (events.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: ?(\d+)$/m.exec(frame)?.[1];
          const data = /^data: ?(.*)$/m.exec(frame)?.[1];
          if (id !== undefined && data !== undefined) events.push({ id: Number(id), data: JSON.parse(data) });
          end = buffer.indexOf("\n\n");
        }
      }
      abort.abort();
      return { status: response.status, events: events.slice(0, count) };
    },
    { streamId, lastEventId, count },
  );
}

test("two instances on one Postgres: an answer started on A is resumed and watched through B, and survives A's SIGKILL as interrupted, kept and charged once", async ({ browser }) => {
  const owner = await personOn(browser, "a");
  await signUpPatiently(owner.page);
  const project = await newProject(owner.page);
  await setEscalationPolicy(owner.page, project.id, "cloud");
  await openChatTab(owner.page, project.id);
  await ask(owner.page, "First question, to open the chat");
  await expectAnswerDone(answers(owner.page).first());
  const chatUrl = owner.page.url();

  // a second member, whose every request goes to B
  const { token } = await trpcCall<{ token: string }>(owner.page, "collab.createInvite", { projectId: project.id, role: "viewer", quotaUsd: "0", expiresInHours: 24 });
  const member = await personOn(browser, "b");
  await signUpPatiently(member.page);
  await trpcCall(member.page, "collab.acceptInvite", { token });
  await member.page.goto(chatUrl);
  await expect(answers(member.page)).toHaveCount(1, { timeout: 90_000 });

  // the answer starts on A
  const asked = Date.now();
  await ask(owner.page, "Tell me a very long story [[crawl]]");
  const ownerAnswer = answers(owner.page).nth(1);
  await expect(ownerAnswer).toContainText("word3 ", { timeout: 60_000 });
  const post = proxy.log.find((r) => r.method === "POST" && r.path.startsWith("/api/chat") && r.at >= asked && r.streamId);
  expect(post?.instance).toBe("a");
  const streamId = post?.streamId as string;

  // watched live through B by the other member
  const watched = answers(member.page).nth(1);
  await expect(watched).toContainText("word5 ", { timeout: 60_000 });
  await expect(watched).toHaveAttribute("aria-busy", "true");
  expect(proxy.log.some((r) => r.instance === "b" && r.path.startsWith(`/api/chat/${streamId}`))).toBe(true);

  // resumed through B from a Last-Event-ID: the next events, in order, exactly the ledger's
  await pin(owner.context, "b");
  const resumed = await readEvents(owner.page, streamId, 3, 5);
  expect(resumed.status).toBe(200);
  expect(resumed.events.map((e) => e.id)).toEqual([4, 5, 6, 7, 8]);
  const ledger = await database.sql<{ seq: number; event: { type: string; text?: string } }[]>`select seq, event from stream_events where stream_id = ${streamId} and seq between 4 and 8 order by seq`;
  expect(resumed.events.map((e) => e.data)).toEqual(ledger.map((row) => row.event));
  expect(proxy.log.filter((r) => r.instance === "b" && r.path === `/api/chat/${streamId}` && r.lastEventId === "3").length).toBe(1);

  // …and after a reload, the page itself picks the answer up through B and keeps it growing
  await owner.page.reload({ waitUntil: "commit" });
  const reloaded = answers(owner.page).nth(1);
  await expect(reloaded).toContainText("word1 ", { timeout: 60_000 });
  await expect(reloaded).toHaveAttribute("aria-busy", "true");
  await expect(reloaded).toContainText("word40 ", { timeout: 60_000 });
  expectWordsInOrder((await reloaded.textContent()) ?? "");
  expect(proxy.log.filter((r) => r.at > asked && r.path.startsWith(`/api/chat/${streamId}`)).every((r) => r.instance === "b")).toBe(true);

  // A dies mid-answer, without a chance to say so
  await expect(watched).toContainText("word60 ", { timeout: 60_000 });
  const upstreamCall = fake.requests.find((r) => JSON.stringify(r.body.messages).includes("[[crawl]]"));
  expect(upstreamCall).toBeDefined();
  await a.kill("SIGKILL");
  const killedAt = Date.now();
  expect(upstreamCall?.done).toBe(false);

  // B finds the dead producer and tells both readers, within the stated time
  const interrupted = /Interrupted — /;
  await expect(watched).toContainText(interrupted, { timeout: INTERRUPTED_WITHIN_MS });
  const noticedAfter = Date.now() - killedAt;
  await expect(reloaded).toContainText(interrupted, { timeout: 10_000 });
  expect(noticedAfter).toBeLessThanOrEqual(INTERRUPTED_WITHIN_MS);
  console.log(`[instances] B marked the answer interrupted ${noticedAfter} ms after A was killed`);
  await expect(watched).not.toHaveAttribute("aria-busy", "true");

  // the text A wrote is kept: a prefix of what the fake sent, with nothing lost or doubled up to where A got
  const [message] = await database.sql<{ id: string; status: string; content: string }[]>`
    select m.id, m.status, m.content from messages m join chat_streams s on s.assistant_message_id = m.id where s.id = ${streamId}`;
  expect(message?.status).toBe("interrupted");
  const sent = upstreamCall?.sent.join("") ?? "";
  const kept = message?.content ?? "";
  expect(kept.length).toBeGreaterThan(0);
  expect(sent.startsWith(kept)).toBe(true);
  expectWordsInOrder(kept);
  expect(kept).toContain("word60 ");
  await expect(watched).toContainText(kept.trim().split(" ").at(-1) as string);

  // charged once, for what was produced: one usage row, its output the kept text's bound
  // (a token per byte at most — the real count died with A), never less than the fake itself counts for that text
  const usage = await database.sql<{ request_id: string; tokens_in: number; tokens_out: number; charged: bigint }[]>`
    select request_id, tokens_in, tokens_out, cost_basis_micros + markup_micros + fee_micros as charged from usage_events where message_id = ${message?.id as string}`;
  expect(usage).toHaveLength(1);
  const [charge] = usage;
  expect(charge?.tokens_out).toBe(Buffer.byteLength(kept, "utf8"));
  expect(charge?.tokens_out).toBeGreaterThanOrEqual(countTokens(kept));
  expect(BigInt(charge?.charged ?? 0)).toBeGreaterThan(0n);
  const holds = await database.sql<{ status: string; request_id: string; bound_tokens_in: number }[]>`select status, request_id, bound_tokens_in from reservations where stream_id = ${streamId}`;
  expect(holds).toHaveLength(1);
  expect(holds[0]?.status).toBe("settled");
  expect(holds[0]?.request_id).toBe(charge?.request_id);
  expect(charge?.tokens_in).toBe(holds[0]?.bound_tokens_in);
  expect(await database.sql`select 1 from usage_events where request_id = ${charge?.request_id as string}`).toHaveLength(1);
  // the owner's account and project spend moved by the two answers' charges and nothing else; no hold is left open
  const [spend] = await database.sql<{ all_charges: bigint; period_spent: bigint; reserved: bigint; member_spent: bigint }[]>`
    select (select sum(cost_basis_micros + markup_micros + fee_micros) from usage_events where payer_id = a.user_id) as all_charges,
           a.period_spent_micros as period_spent, a.reserved_micros as reserved,
           (select spent_micros from member_spend where project_id = ${project.id} and user_id = a.user_id) as member_spent
    from billing_accounts a join users u on u.id = a.user_id where u.id = (select started_by from chat_streams where id = ${streamId})`;
  expect(BigInt(spend?.period_spent ?? -1)).toBe(BigInt(spend?.all_charges ?? -2));
  expect(BigInt(spend?.member_spent ?? -1)).toBe(BigInt(spend?.all_charges ?? -2));
  expect(BigInt(spend?.reserved ?? -1)).toBe(0n);

  // the answer's badge says what it was charged for, through B, after a reload
  await member.page.reload();
  const badge = answers(member.page).nth(1).getByLabel("Answer details");
  await expect(badge).toContainText("Cloud", { timeout: 60_000 });
  await expect(badge).toContainText(`${charge?.tokens_out.toLocaleString("en-US")} out`);

  // B carries on alone: the next question is answered in full through it
  await ask(owner.page, "And after that?");
  await expect(answers(owner.page)).toHaveCount(3, { timeout: 60_000 });
  await expectAnswerDone(answers(owner.page).nth(2));
  await owner.page.screenshot({ path: "screenshots/instances-interrupted.png", fullPage: true });
  await member.page.screenshot({ path: "screenshots/instances-watcher.png", fullPage: true });
  await owner.context.close();
  await member.context.close();
});
