import { describe, expect, it, vi } from "vitest";
import type { FunctionVersion } from "../domain.js";
import { createCachedFunctionStore } from "./cached-function-store.js";
import type { FunctionStore } from "./function-store.js";

const fn = { accountId: "111111111111", name: "f", version: "$LATEST" } as FunctionVersion;

function fakeStore(found: FunctionVersion | undefined): FunctionStore {
  return {
    create: vi.fn(async () => fn),
    updateCode: vi.fn(async () => fn),
    updateConfiguration: vi.fn(async () => fn),
    publish: vi.fn(async () => fn),
    listVersions: vi.fn(async () => ({ items: [] })),
    deleteVersion: vi.fn(async () => true),
    get: vi.fn(async () => found),
    list: vi.fn(async () => ({ items: [] })),
    delete: vi.fn(async () => true),
    getCode: vi.fn(async () => undefined),
    updateImage: vi.fn(async () => fn),
    settleImage: vi.fn(async () => fn),
    unsettledImages: vi.fn(async () => []),
  };
}

describe("cached function store", () => {
  it("serves repeated reads from memory within the TTL, then reloads", async () => {
    let t = 0;
    const inner = fakeStore(fn);
    const store = createCachedFunctionStore(inner, 1000, () => t);
    await store.get("111111111111", "f", "$LATEST");
    t = 999;
    await store.get("111111111111", "f", "$LATEST");
    expect(inner.get).toHaveBeenCalledTimes(1);
    t = 1000;
    await store.get("111111111111", "f", "$LATEST");
    expect(inner.get).toHaveBeenCalledTimes(2);
  });

  it("serves the first read after a create from what the create returned", async () => {
    const inner = fakeStore(fn);
    const store = createCachedFunctionStore(inner, 1000, () => 0);
    const made = await store.create({ accountId: "111111111111", name: "f" } as Parameters<FunctionStore["create"]>[0]);
    expect(await store.get("111111111111", "f", "$LATEST")).toBe(made);
    expect(inner.get).not.toHaveBeenCalled();
  });

  it("does not cache misses", async () => {
    const inner = fakeStore(undefined);
    const store = createCachedFunctionStore(inner, 1000, () => 0);
    await store.get("111111111111", "f", "$LATEST");
    await store.get("111111111111", "f", "$LATEST");
    expect(inner.get).toHaveBeenCalledTimes(2);
  });

  it("forgets a function when it is deleted", async () => {
    const inner = fakeStore(fn);
    const store = createCachedFunctionStore(inner, 1000, () => 0);
    await store.get("111111111111", "f", "$LATEST");
    await store.delete("111111111111", "f");
    await store.get("111111111111", "f", "$LATEST");
    expect(inner.get).toHaveBeenCalledTimes(2);
  });

  it("keeps accounts apart", async () => {
    const inner = fakeStore(fn);
    const store = createCachedFunctionStore(inner, 1000, () => 0);
    await store.get("111111111111", "f", "$LATEST");
    await store.get("222222222222", "f", "$LATEST");
    expect(inner.get).toHaveBeenCalledTimes(2);
  });
});
