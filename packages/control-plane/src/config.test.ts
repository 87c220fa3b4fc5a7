import { describe, expect, it } from "vitest";
import { ControlPlaneConfigSchema } from "./config.js";

const base = {
  STRATUS_DATABASE_URL: "postgres://stratus@127.0.0.1:5432/stratus",
  STRATUS_REDIS_URL: "redis://127.0.0.1:6379",
  STRATUS_INTERNAL_TOKEN: "x".repeat(24),
};

describe("ControlPlaneConfigSchema: log level", () => {
  it("logs at info unless STRATUS_LOG_LEVEL says otherwise, and refuses a level it does not know", () => {
    expect(ControlPlaneConfigSchema.parse(base).logLevel).toBe("info");
    expect(ControlPlaneConfigSchema.parse({ ...base, STRATUS_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(ControlPlaneConfigSchema.safeParse({ ...base, STRATUS_LOG_LEVEL: "verbose" }).success).toBe(false);
  });
});

describe("ControlPlaneConfigSchema: secrets key", () => {
  it("has no key unless one is set, takes 32 bytes of base64, and refuses anything else", () => {
    expect(ControlPlaneConfigSchema.parse(base).secrets.key).toBeUndefined();
    expect(ControlPlaneConfigSchema.parse({ ...base, STRATUS_SECRETS_KEY: "" }).secrets.key).toBeUndefined();
    const key = Buffer.alloc(32, 7);
    expect(
      ControlPlaneConfigSchema.parse({ ...base, STRATUS_SECRETS_KEY: key.toString("base64") }).secrets.key,
    ).toEqual(key);
    for (const bad of [Buffer.alloc(16).toString("base64"), Buffer.alloc(33).toString("base64"), "not a key"]) {
      expect(ControlPlaneConfigSchema.safeParse({ ...base, STRATUS_SECRETS_KEY: bad }).success).toBe(false);
    }
  });
});
