import { describe, expect, it, vi } from "vitest";
import type { FunctionPolicy } from "../policy.js";
import { createPolicyCache } from "./policy-cache.js";

const policy = {
  accountId: "111111111111",
  functionName: "f",
  qualifier: "",
  statements: [],
} as unknown as FunctionPolicy;

describe("policy cache", () => {
  it("serves repeated reads from memory within the TTL, absent policies too, then reloads", async () => {
    for (const found of [policy, undefined]) {
      let t = 0;
      const load = vi.fn(async () => found);
      const cache = createPolicyCache(load, 1000, () => t);
      expect(await cache.get("111111111111", "f", "")).toBe(found);
      t = 999;
      expect(await cache.get("111111111111", "f", "")).toBe(found);
      expect(load).toHaveBeenCalledTimes(1);
      t = 1000;
      await cache.get("111111111111", "f", "");
      expect(load).toHaveBeenCalledTimes(2);
    }
  });

  it("forgets what it is told to, and keeps qualifiers and accounts apart", async () => {
    const load = vi.fn(async () => policy);
    const cache = createPolicyCache(load, 1000, () => 0);
    await cache.get("111111111111", "f", "");
    await cache.get("111111111111", "f", "prod");
    await cache.get("222222222222", "f", "");
    expect(load).toHaveBeenCalledTimes(3);
    cache.forget("111111111111", "f", "");
    await cache.get("111111111111", "f", "");
    await cache.get("111111111111", "f", "prod");
    expect(load).toHaveBeenCalledTimes(4);
  });
});
