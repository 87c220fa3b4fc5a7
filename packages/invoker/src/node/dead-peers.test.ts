import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ManagedResource } from "../backend/container-backend.js";
import { deadPeerLeftovers, sweepDeadPeers } from "./dead-peers.js";

const NOW = 1_000_000_000;
const MIN = 60_000;
const made = (kind: ManagedResource["kind"], id: string, node: string, minutesAgo: number): ManagedResource => ({
  kind,
  id,
  node,
  createdAt: NOW - minutesAgo * MIN,
});

describe("deadPeerLeftovers", () => {
  const beats = new Map([
    ["self", NOW - 20 * MIN], // never its own, however silent it looks
    ["live", NOW - 1_000],
    ["dead", NOW - 30 * MIN],
    ["recent", NOW - 5 * MIN], // silent, but not for long enough
  ]);
  it.each([
    ["a dead peer's container made before it died", made("container", "c1", "dead", 40), true],
    ["a dead peer's network", made("network", "n1", "dead", 40), true],
    ["a dead peer's container made less than the window ago", made("container", "c2", "dead", 5), false],
    ["a live peer's container", made("container", "c3", "live", 40), false],
    ["a peer silent for less than the window", made("container", "c4", "recent", 40), false],
    ["this node's own container", made("container", "c5", "self", 40), false],
    ["a node the registry has never known (another platform)", made("container", "c6", "stranger", 40), false],
    ["a resource with no node label", made("container", "c7", "", 40), false],
  ])("%s: removed %s", (_what, resource, removed) => {
    expect(deadPeerLeftovers([resource], beats, "self", 10 * MIN, NOW)).toEqual(removed ? [resource] : []);
  });

  it("removes containers before networks (a network with containers cannot go)", () => {
    const net = made("network", "n1", "dead", 40);
    const c = made("container", "c1", "dead", 40);
    expect(deadPeerLeftovers([net, c], beats, "self", 10 * MIN, NOW)).toEqual([c, net]);
  });
});

describe("sweepDeadPeers", () => {
  it("removes each leftover, counts it by kind, and carries on past one that will not go", async () => {
    const registry = new Registry();
    const removed = new Counter({ name: "removed_total", help: "h", labelNames: ["kind"], registers: [registry] });
    const calls: string[] = [];
    const warnings: string[] = [];
    const count = await sweepDeadPeers({
      backend: {
        listManaged: async () => [
          made("network", "net-dead", "dead", 40),
          made("container", "stuck", "dead", 40),
          made("container", "gone", "dead", 40),
        ],
        remove: async (id) => {
          calls.push(`container ${id}`);
          if (id === "stuck") throw new Error("engine said no");
        },
        removeNetwork: async (id) => {
          calls.push(`network ${id}`);
        },
      },
      lastBeats: async () => new Map([["dead", NOW - 30 * MIN]]),
      self: "self",
      deadAfterMs: 10 * MIN,
      removed,
      log: { warn: (m) => warnings.push(m) },
      now: () => NOW,
    });
    expect(count).toBe(2);
    expect(calls).toEqual(["container stuck", "container gone", "network net-dead"]);
    const text = await registry.metrics();
    expect(text).toContain('removed_total{kind="container"} 1');
    expect(text).toContain('removed_total{kind="network"} 1');
    expect(warnings[0]).toMatch(/could not remove container stuck of dead node dead: engine said no/);
    expect(warnings[1]).toMatch(/removed 2 container\(s\) and network\(s\) left by dead node\(s\) dead/);
  });

  it("says once that a resource will not go, however many passes try it again", async () => {
    const removed = new Counter({ name: "removed2_total", help: "h", labelNames: ["kind"], registers: [] });
    const warnings: string[] = [];
    let tries = 0;
    const deps = {
      backend: {
        listManaged: async () => [made("network", "stale", "dead", 40)],
        remove: async () => undefined,
        removeNetwork: async () => {
          tries++;
          throw new Error("has active endpoints");
        },
      },
      lastBeats: async () => new Map([["dead", NOW - 30 * MIN]]),
      self: "self",
      deadAfterMs: 10 * MIN,
      removed,
      log: { warn: (m: string) => warnings.push(m) },
      now: () => NOW,
      unremovable: new Set<string>(),
    };
    for (let i = 0; i < 3; i++) expect(await sweepDeadPeers(deps)).toBe(0);
    expect(tries).toBe(3);
    expect(warnings).toEqual(["could not remove network stale of dead node dead: has active endpoints"]);
  });
});
