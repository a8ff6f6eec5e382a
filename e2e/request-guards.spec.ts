import { expect } from "@playwright/test";
import { newProject, signUpPatiently, test } from "./support/chat-helpers";

test.setTimeout(120_000);

const MB = 1024 * 1024;
const chatTurn = (projectId: string, content: string) => JSON.stringify({ requestId: `guard-${Math.random().toString(16).slice(2)}`, projectId, content, tier: "local" });

test("Route Handlers refuse other sites, non-JSON and oversized bodies, and /api/chat asks who you are before reading", async ({ page, playwright, baseURL }) => {
  // Signed out: /api/chat answers 401 without looking at the body (it once parsed it first and said 400).
  const anonymous = await playwright.request.newContext({ baseURL });
  const signedOut = await anonymous.post("/api/chat", { headers: { "content-type": "text/plain" }, data: "x".repeat(2 * MB) });
  expect(signedOut.status()).toBe(401);
  expect((await signedOut.json()).error.code).toBe("unauthorized:session");

  // The webhook caps the body before it checks the signature.
  const hugeEvent = await anonymous.post("/api/stripe/webhook", { headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=x" }, data: `{"pad":"${"x".repeat(2 * MB)}"}` });
  expect(hugeEvent.status()).toBe(413);
  expect((await hugeEvent.json()).error.code).toBe("too_large:request_body");
  await anonymous.dispose();

  await signUpPatiently(page);
  const project = await newProject(page, "Guarded");

  const plain = await page.request.post("/api/chat", { headers: { "content-type": "text/plain" }, data: chatTurn(project.id, "hello") });
  expect(plain.status()).toBe(415);
  expect((await plain.json()).error.code).toBe("unsupported_media_type:json");

  const oversized = await page.request.post("/api/chat", { headers: { "content-type": "application/json" }, data: chatTurn(project.id, "y".repeat(1.5 * MB)) });
  expect(oversized.status()).toBe(413);
  expect((await oversized.json()).error).toMatchObject({ code: "too_large:request_body", message: expect.stringContaining("1.0 MB") });

  // Another site making the browser send a request: refused on every state-changing handler.
  const crossSite = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };
  const refusals = [
    await page.request.post("/api/chat", { headers: { ...crossSite, "content-type": "application/json" }, data: chatTurn(project.id, "hello") }),
    await page.request.post("/api/chat/00000000-0000-4000-8000-000000000000/stop", { headers: crossSite }),
    await page.request.post(`/api/knowledge/upload?projectId=${project.id}`, { headers: crossSite, multipart: { file: { name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("hi") } } }),
    await page.request.post("/api/trpc/projects.create", { headers: { ...crossSite, "content-type": "application/json" }, data: { json: { title: "From elsewhere" } } }),
    await page.request.post("/api/auth/signout", { headers: { ...crossSite, "content-type": "application/x-www-form-urlencoded" }, data: "csrfToken=x" }),
    // an older browser without fetch metadata still sends Origin
    await page.request.post("/api/chat", { headers: { origin: "https://evil.example", "content-type": "application/json" }, data: chatTurn(project.id, "hello") }),
  ];
  for (const refused of refusals) {
    expect(refused.status(), refused.url()).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden:cross_site");
  }
  // tRPC takes JSON only: a form a cross-site page could send without a preflight is refused.
  const formTrpc = await page.request.post("/api/trpc/projects.create", { headers: { "content-type": "text/plain" }, data: JSON.stringify({ json: { title: "Form" } }) });
  expect(formTrpc.status()).toBe(415);

  // This site itself still works: the same-origin chat turn streams an answer.
  const ok = await page.request.post("/api/chat", { headers: { "sec-fetch-site": "same-origin", "content-type": "application/json" }, data: chatTurn(project.id, "hello") });
  expect(ok.status()).toBe(200);
  expect(await ok.text()).toContain('"type":"end"');
});
