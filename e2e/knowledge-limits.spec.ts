import { expect } from "@playwright/test";
import { makeDocx } from "../testing/documents/make-docx";
import { newProject, signUpPatiently, test, trpcCall } from "./support/chat-helpers";

test.setTimeout(240_000);

/** A real .docx whose zip directory claims ~4 GB unpacked, as a zip bomb's does. */
async function docxClaimingGigabytes(): Promise<Buffer> {
  const docx = Buffer.from(await makeDocx([{ text: "Small words, big claims." }]));
  for (let at = 0; at + 46 <= docx.length; at++) if (docx.readUInt32LE(at) === 0x02014b50) docx.writeUInt32LE(0xf0000000, at + 24);
  return docx;
}

test("a zip-bomb DOCX fails with its reason on the Knowledge tab; a 2-million-character CSV paste is indexed while /api/health keeps answering", async ({ page, request }) => {
  await signUpPatiently(page);
  const project = await newProject(page, "Limits");
  await page.goto(`/projects/${project.id}/knowledge`);
  await expect(page.getByText("Drag files here, or")).toBeVisible({ timeout: 60_000 });

  await page.getByLabel("Choose files").setInputFiles([{ name: "bomb.docx", mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buffer: await docxClaimingGigabytes() }]);
  const bomb = page.getByTestId("source-row").filter({ hasText: "bomb.docx" });
  await expect(bomb.getByText("failed", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(bomb).toContainText(/unpacks to [\d.]+ GB, more than the 256\.0 MB Arbor reads/);

  const rows = Array.from({ length: 80_000 }, (_, i) => `${i},orchard ${i % 97},${(i * 7) % 1000},north field,apples`);
  const csv = `id,block,trees,field,crop\n${rows.join("\n")}`.slice(0, 2_000_000);
  // The same call the Paste form makes (typing two million characters into a textarea would test Chromium, not Arbor).
  await trpcCall(page, "knowledge.paste", { projectId: project.id, title: "Orchard inventory", text: csv });
  // Probe health while the paste is processed; the status is read over the API now and then (a page in the
  // background re-rendering would compete for the same two cores and blur what is measured).
  const statusOf = async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { projectId: project.id } }));
    const body = (await (await page.request.get(`/api/trpc/knowledge.list?input=${input}`)).json()) as { result: { data: { json: { sources: Array<{ title: string; status: string }> } } } };
    return body.result.data.json.sources.find((s) => s.title === "Orchard inventory")?.status;
  };
  await page.goto("/dashboard");
  const latencies: number[] = [];
  for (let i = 0; ; i++) {
    if (i % 10 === 9 && (await statusOf()) !== "processing") break;
    const started = Date.now();
    const health = await request.get("/api/health");
    latencies.push(Date.now() - started);
    expect(health.status()).toBe(200);
    if (latencies.length > 2_000) throw new Error("the paste was never processed");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await statusOf()).toBe("ready");
  expect(latencies.length).toBeGreaterThan(5);
  const shown = `health latencies (ms): ${latencies.join(" ")}`;
  const sorted = [...latencies].sort((a, b) => a - b);
  // Through the whole production server, on two cores shared with Chromium and other test runs, single probes
  // reach a few hundred milliseconds; the pinned 200 ms bound is server/knowledge/paste-keeps-serving.test.ts.
  // What must never happen again is the event loop held for seconds (every probe queued behind the paste).
  expect(sorted[Math.floor(sorted.length / 2)] ?? Number.POSITIVE_INFINITY, shown).toBeLessThan(200);
  expect(Math.max(...latencies, 0), shown).toBeLessThan(1_000);
  await page.goto(`/projects/${project.id}/knowledge`);
  await expect(page.getByTestId("source-row").filter({ hasText: "Orchard inventory" }).getByText("ready", { exact: true })).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: "screenshots/knowledge-limits.png", fullPage: true });
});
