import { describe, expect, it, vi } from "vitest";
import type { FunctionPolicy } from "../policy.js";
import { createCachedPolicyStore } from "./cached-policy-store.js";
import type { PolicyStore } from "./policy-store.js";

const policy = {
  accountId: "111111111111",
  functionName: "f",
  qualifier: "",
  statements: [],
} as unknown as FunctionPolicy;

function fakeStore(found: FunctionPolicy | undefined): PolicyStore {
  return { get: vi.fn(async () => found), edit: vi.fn(async () => ({})) };
}

describe("cached policy store", () => {
  it("serves repeated reads from memory within the TTL, absent policies too, then reloads", async () => {
    for (const found of [policy, undefined]) {
      let t = 0;
      const inner = fakeStore(found);
      const store = createCachedPolicyStore(inner, 1000, () => t);
      expect(await store.get("111111111111", "f", "")).toBe(found);
      t = 999;
      expect(await store.get("111111111111", "f", "")).toBe(found);
      expect(inner.get).toHaveBeenCalledTimes(1);
      t = 1000;
      await store.get("111111111111", "f", "");
      expect(inner.get).toHaveBeenCalledTimes(2);
    }
  });

  it("forgets a policy edited here, and keeps qualifiers and accounts apart", async () => {
    const inner = fakeStore(policy);
    const store = createCachedPolicyStore(inner, 1000, () => 0);
    await store.get("111111111111", "f", "");
    await store.get("111111111111", "f", "prod");
    await store.get("222222222222", "f", "");
    expect(inner.get).toHaveBeenCalledTimes(3);
    await store.edit("111111111111", "f", "", () => []);
    await store.get("111111111111", "f", "");
    await store.get("111111111111", "f", "prod");
    expect(inner.get).toHaveBeenCalledTimes(4);
  });
});
