import { expect, test } from "@playwright/test";

test("the front door carries Arbor's icons, and robots keep token links out of search", async ({ page, request }) => {
  await page.goto("/");
  const icons = await page.locator('head link[rel="icon"]').evaluateAll((links) => links.map((l) => l.getAttribute("href")));
  expect(icons).toEqual(expect.arrayContaining(["/favicon.svg", "/favicon.ico"]));
  await expect(page.locator('head link[rel="apple-touch-icon"]')).toHaveAttribute("href", "/apple-touch-icon.png");

  for (const [file, type] of [
    ["/favicon.ico", /image\/(x-icon|vnd\.microsoft\.icon)/],
    ["/favicon.svg", /image\/svg\+xml/],
    ["/apple-touch-icon.png", /image\/png/],
    ["/manifest.webmanifest", /manifest\+json|application\/json/],
  ] as const) {
    const response = await request.get(file);
    expect(response.status(), file).toBe(200);
    expect(response.headers()["content-type"], file).toMatch(type);
  }

  const robots = await request.get("/robots.txt");
  expect(robots.status()).toBe(200);
  const rules = (await robots.text()).split("\n").map((line) => line.trim());
  for (const path of ["/invite/", "/handover/", "/share/", "/api/"]) expect(rules).toContain(`Disallow: ${path}`);
});
