import { describe, expect, it } from "vitest";
import { InvokerConfigSchema } from "./config.js";

const base = {
  STRATUS_REDIS_URL: "redis://127.0.0.1:6379",
  STRATUS_CONTROL_PLANE_URL: "http://127.0.0.1:9000",
  STRATUS_INTERNAL_TOKEN: "x".repeat(24),
};

describe("InvokerConfigSchema: stem cells", () => {
  it.each([
    ["defaults to one stem cell per runtime, 128 MB", {}, 1, 128],
    ["0 disables stem cells", { STRATUS_STEM_CELLS_PER_RUNTIME: "0" }, 0, 128],
    [
      "takes a count and a neutral cap",
      { STRATUS_STEM_CELLS_PER_RUNTIME: "3", STRATUS_STEM_CELL_MEMORY_MB: "256" },
      3,
      256,
    ],
  ])("%s", (_name, env, count, memoryMb) => {
    const config = InvokerConfigSchema.parse({ ...base, ...env });
    expect(config.stemCellsPerRuntime).toBe(count);
    expect(config.stemCellMemoryMb).toBe(memoryMb);
  });

  it.each([
    ["a negative count", { STRATUS_STEM_CELLS_PER_RUNTIME: "-1" }],
    ["a cap under Lambda's minimum", { STRATUS_STEM_CELL_MEMORY_MB: "64" }],
  ])("refuses %s", (_name, env) => {
    expect(InvokerConfigSchema.safeParse({ ...base, ...env }).success).toBe(false);
  });
});

describe("InvokerConfigSchema: Redis command timeout", () => {
  it("defaults to 5 s and takes another bound", () => {
    expect(InvokerConfigSchema.parse(base).redisCommandTimeoutMs).toBe(5_000);
    expect(InvokerConfigSchema.parse({ ...base, STRATUS_REDIS_COMMAND_TIMEOUT_MS: "750" }).redisCommandTimeoutMs).toBe(
      750,
    );
  });

  it("refuses a bound too short to be meant", () => {
    expect(InvokerConfigSchema.safeParse({ ...base, STRATUS_REDIS_COMMAND_TIMEOUT_MS: "5" }).success).toBe(false);
  });
});

describe("InvokerConfigSchema: dead peer sweep", () => {
  it.each([
    ["defaults to 10 minutes", {}, 600_000],
    ["0 turns it off", { STRATUS_DEAD_NODE_AFTER_SECONDS: "0" }, 0],
    ["takes 30 s, the least allowed", { STRATUS_DEAD_NODE_AFTER_SECONDS: "30" }, 30_000],
  ])("%s", (_name, env, ms) => {
    expect(InvokerConfigSchema.parse({ ...base, ...env }).deadNodeAfterMs).toBe(ms);
  });

  it.each([
    ["a window a live node's heartbeat could miss", "5"],
    ["a negative window", "-1"],
  ])("refuses %s", (_name, seconds) => {
    expect(InvokerConfigSchema.safeParse({ ...base, STRATUS_DEAD_NODE_AFTER_SECONDS: seconds }).success).toBe(false);
  });
});

describe("InvokerConfigSchema: log level", () => {
  it("logs at info unless STRATUS_LOG_LEVEL says otherwise, and refuses a level it does not know", () => {
    expect(InvokerConfigSchema.parse(base).logLevel).toBe("info");
    expect(InvokerConfigSchema.parse({ ...base, STRATUS_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(InvokerConfigSchema.safeParse({ ...base, STRATUS_LOG_LEVEL: "verbose" }).success).toBe(false);
  });
});
