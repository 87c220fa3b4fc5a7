import { describe, expect, it } from "vitest";
import type { AsyncInvocation, AsyncStore } from "../store/async-store.js";
import { createAsyncService } from "./async-service.js";

const ID = "6f1c2a3b-0000-4000-8000-000000000001";
const OWNER = "111111111111";
const OTHER = "222222222222";

/** One invocation owned by OWNER, re-drivable when `dead` (the store scopes both calls by account, as Postgres does). */
function serviceOver(dead: boolean) {
  const row = { id: ID, accountId: OWNER, status: dead ? "dead_lettered" : "succeeded" } as AsyncInvocation;
  const nudges: number[] = [];
  const store = {
    get: async (accountId: string, id: string) => (accountId === row.accountId && id === row.id ? row : undefined),
    redrive: async (accountId: string, id: string) => dead && accountId === row.accountId && id === row.id,
  } as unknown as AsyncStore;
  const relay = { publish: () => undefined, nudge: () => nudges.push(1) };
  return { service: createAsyncService(store, {} as never, {} as never, relay), nudges };
}

describe("AsyncService re-drive and lookup by request id", () => {
  it.each<[string, boolean, string, string, string | undefined]>([
    ["its owner's dead-lettered invocation", true, OWNER, ID, undefined],
    ["its owner's invocation that is not dead-lettered", false, OWNER, ID, "ResourceConflictException"],
    ["another account's dead-lettered invocation", true, OTHER, ID, "ResourceNotFoundException"],
    ["another account's finished invocation", false, OTHER, ID, "ResourceNotFoundException"],
    ["an unknown id", true, OWNER, "6f1c2a3b-0000-4000-8000-00000000000f", "ResourceNotFoundException"],
  ])("re-drives %s, or refuses it", async (_what, dead, caller, id, code) => {
    const { service, nudges } = serviceOver(dead);
    const redrive = service.redrive(caller, id);
    if (code === undefined) {
      await expect(redrive).resolves.toBeUndefined();
      expect(nudges).toHaveLength(1);
    } else {
      await expect(redrive).rejects.toMatchObject({ code });
      expect(nudges).toHaveLength(0);
    }
  });

  it("answers another account's id as unknown when read", async () => {
    const { service } = serviceOver(true);
    await expect(service.get(OTHER, ID)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
    await expect(service.get(OWNER, ID)).resolves.toMatchObject({ id: ID });
  });
});
