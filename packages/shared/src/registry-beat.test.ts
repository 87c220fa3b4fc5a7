import { describe, expect, it } from "vitest";
import { REGISTRY_BEAT, writeRegistryBeat } from "./registry-beat.js";

const keys = { infoKey: "info", heartbeatsKey: "beats" };

describe("writeRegistryBeat", () => {
  it("writes the entry and the beat in one script flagged allow-oom", async () => {
    const calls: unknown[][] = [];
    await writeRegistryBeat({ eval: async (...args) => calls.push(args) }, keys, "n1", "{}", 42);
    expect(calls).toEqual([[REGISTRY_BEAT, 2, "info", "beats", "n1", "{}", 42]]);
    expect(REGISTRY_BEAT.split("\n")[0]).toBe("#!lua flags=allow-oom");
  });

  it("names the Redis version it needs when Redis cannot compile the script", async () => {
    const old = async () => {
      throw new Error("ERR Error compiling script (new function): user_script:1: unexpected symbol near '#'");
    };
    await expect(writeRegistryBeat({ eval: old }, keys, "n1", "{}", 1)).rejects.toThrow(
      /^heartbeats need Redis 7\.0 or later: ERR Error compiling script/,
    );
  });

  it("throws any other failure as Redis gave it", async () => {
    const down = async () => {
      throw new Error("Connection is closed.");
    };
    await expect(writeRegistryBeat({ eval: down }, keys, "n1", "{}", 1)).rejects.toThrow(/^Connection is closed\.$/);
  });
});
