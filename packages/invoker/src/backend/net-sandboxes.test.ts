import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { createNetSandboxes } from "./net-sandboxes.js";

/** Just enough of the Engine API for sandboxes: create, start, inspect (an address), remove. */
function fakeEngine() {
  const created: string[] = [];
  const removed: string[] = [];
  const docker = {
    async createContainer(opts: { HostConfig: { NetworkMode: string } }) {
      const id = `sb${created.length}`;
      created.push(id);
      return {
        id,
        start: async () => undefined,
        inspect: async () => ({
          NetworkSettings: { Networks: { [opts.HostConfig.NetworkMode]: { IPAddress: `10.0.0.${created.length}` } } },
        }),
        remove: async () => void removed.push(id),
      };
    },
    getContainer: (id: string) => ({ remove: async () => void removed.push(id) }),
  };
  return { docker: docker as unknown as Docker, created, removed };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe("network sandboxes", () => {
  it("keeps the reserve full, but refills it only when told, not when one is taken", async () => {
    const engine = fakeEngine();
    const sandboxes = createNetSandboxes(engine.docker, "img", 2, { warn: () => undefined });
    sandboxes.keep("fn-net", { owner: "n1" });
    await until(() => engine.created.length === 2);
    expect(sandboxes.short()).toBe(false);
    const taken = sandboxes.take("fn-net");
    expect(sandboxes.short()).toBe(true);
    expect(taken).toMatchObject({ id: "sb0", network: "fn-net" });
    await new Promise((r) => setTimeout(r, 20));
    // A container is starting in the taken sandbox: no other start beside it.
    expect(engine.created).toHaveLength(2);
    sandboxes.replenish("fn-net");
    await until(() => engine.created.length === 3);
    await new Promise((r) => setTimeout(r, 20)); // started and addressed
    expect(sandboxes.short()).toBe(false);
    expect(sandboxes.take("fn-net")?.id).toBe("sb1");
    expect(sandboxes.take("fn-net")?.id).toBe("sb2");
    expect(sandboxes.take("fn-net")).toBeUndefined();
    await sandboxes.close();
  });
});
