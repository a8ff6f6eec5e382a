import { afterEach, describe, expect, it } from "vitest";

const saved = process.env.DATABASE_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

describe("GET /api/health", () => {
  it("answers 503 with a reason when the database is unreachable", async () => {
    // Nothing listens on port 1: the connection is refused at once.
    process.env.DATABASE_URL = "postgres://postgres@127.0.0.1:1/nothing";
    const { GET } = await import("./route");
    const res = await GET();
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toMatchObject({ status: "error", db: "unreachable" });
    expect(typeof body.reason).toBe("string");
  });
});
