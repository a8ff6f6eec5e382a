import { afterEach, describe, expect, it, vi } from "vitest";

const saved = process.env.DATABASE_URL;
afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

describe("GET /api/health", () => {
  it("answers 503 saying only that the database is down, and logs the detail instead", async () => {
    // Nothing listens on port 1: the connection is refused at once.
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/nothing";
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { GET } = await import("./route");
    const res = await GET();
    expect(res.status).toBe(503);
    const body = await res.json();
    // No driver message, host, port or database name reaches an anonymous caller.
    expect(body).toEqual({ status: "error", db: "down" });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|nothing|:1\b/);
    expect(logged).toHaveBeenCalled();
  });
});
