import { afterEach, describe, expect, it } from "vitest";
import { EnvError, getEnv, resetEnvForTests } from "./env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvForTests();
});

describe("environment", () => {
  it("names every bad variable on its own line", () => {
    process.env.DATABASE_URL = "mysql://nope";
    process.env.SMTP_URL = "http://mail";
    process.env.ENCRYPTION_KEY = "short";
    resetEnvForTests();
    expect(() => getEnv()).toThrow(EnvError);
    try {
      getEnv();
    } catch (error) {
      const lines = String((error as Error).message).split("\n");
      expect(lines).toContain("  DATABASE_URL: must be a postgres:// URL");
      expect(lines.some((l) => l.startsWith("  SMTP_URL:"))).toBe(true);
      expect(lines.some((l) => l.startsWith("  ENCRYPTION_KEY:"))).toBe(true);
    }
  });

  it("refuses to start in production without the secrets", () => {
    Object.assign(process.env, { NODE_ENV: "production" });
    delete process.env.AUTH_SECRET;
    delete process.env.ENCRYPTION_KEY;
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/AUTH_SECRET: is required in production/);
  });

  it("refuses half an S3 configuration, naming what is missing", () => {
    process.env.S3_ENDPOINT = "http://127.0.0.1:9000";
    process.env.S3_BUCKET = "arbor";
    delete process.env.S3_ACCESS_KEY_ID;
    delete process.env.S3_SECRET_ACCESS_KEY;
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/S3_ACCESS_KEY_ID: is needed too, since S3_ENDPOINT, S3_BUCKET are set/);
    expect(() => getEnv()).toThrow(/S3_SECRET_ACCESS_KEY: is needed too/);
    process.env.S3_ACCESS_KEY_ID = "key";
    process.env.S3_SECRET_ACCESS_KEY = "secret";
    process.env.AUTH_SECRET = "x".repeat(40);
    process.env.ENCRYPTION_KEY = "a".repeat(64);
    resetEnvForTests();
    expect(getEnv().S3_BUCKET).toBe("arbor");
  });

  it("treats empty variables as unset", () => {
    process.env.ANTHROPIC_API_KEY = "";
    process.env.AUTH_SECRET = "x".repeat(40);
    process.env.ENCRYPTION_KEY = "a".repeat(64);
    resetEnvForTests();
    expect(getEnv().ANTHROPIC_API_KEY).toBeUndefined();
  });
});
