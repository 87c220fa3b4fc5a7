// Runs once around the whole test run. Test nodes (ids test-* and extra-* in-process, proc-* as
// processes) each make a functions network and containers labelled with their id. A
// run that was interrupted, or a teardown that failed part-way, leaves them behind,
// and leftover networks use up the engine's address pools until creating one fails.
// Before the run: what earlier runs left is removed. After it: what this run left is
// named (a teardown to fix) and removed. Nodes of a running platform (other ids) are
// never touched.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import type DockerType from "dockerode";

// Loaded by vitest from the repository root, where only the tests package resolves dockerode.
const Docker = createRequire(import.meta.url)("dockerode") as typeof DockerType;
const docker = new Docker();
const TEST_NODE = /^(test|proc|extra)-[0-9a-f]{8}$/;

/** Removes test nodes' containers, then their networks; names each, with why it stays if it does. */
async function sweep(): Promise<string[]> {
  const filters = { label: ["stratus.managed=true"] };
  const found: string[] = [];
  const removed = (what: string) => () => found.push(what);
  const kept = (what: string) => (err: Error) => found.push(`${what} (not removed: ${err.message.trim()})`);
  for (const c of await docker.listContainers({ all: true, filters })) {
    if (!TEST_NODE.test(c.Labels["stratus.node"] ?? "")) continue;
    const what = `container ${c.Id.slice(0, 12)} of ${c.Labels["stratus.node"]}`;
    await docker.getContainer(c.Id).remove({ force: true, v: true }).then(removed(what), kept(what));
  }
  for (const n of await docker.listNetworks({ filters })) {
    if (!TEST_NODE.test(n.Labels?.["stratus.node"] ?? "")) continue;
    const what = `network ${n.Name}`;
    await docker.getNetwork(n.Id).remove().then(removed(what), kept(what));
  }
  return [...found, ...sweepFirewall()];
}

/** Removes test nodes' firewall rules (function-firewall.ts): their jumps, then their chains. */
function sweepFirewall(): string[] {
  const found: string[] = [];
  const ipt = (args: string[]) => execFileSync("iptables", ["-w", "5", ...args], { encoding: "utf8" });
  for (const chain of ["INPUT", "DOCKER-USER"]) {
    let rules: string[];
    try {
      rules = ipt(["-S", chain]).split("\n");
    } catch {
      continue; // no iptables here: nothing of ours either
    }
    // iptables -S quotes the comment; ours has no spaces, so the words split without the quotes.
    for (const rule of rules.map((r) => r.replaceAll('"', ""))) {
      const node = /stratus-node=(\S+)/.exec(rule)?.[1];
      const target = / -j (STRATUS-\S+)/.exec(rule)?.[1];
      if (!node || !target || !TEST_NODE.test(node)) continue;
      const args = rule.replace(/^-A /, "-D ").split(" ");
      try {
        ipt(args);
        ipt(["-F", target]);
        ipt(["-X", target]);
        found.push(`firewall rules of ${node}`);
      } catch (err) {
        found.push(`firewall rules of ${node} (not removed: ${(err as Error).message.trim()})`);
      }
    }
  }
  return found;
}

export async function setup(): Promise<void> {
  const found = await sweep();
  if (found.length > 0) console.warn(`leftovers of earlier test runs:\n  ${found.join("\n  ")}`);
}

export async function teardown(): Promise<void> {
  const found = await sweep();
  if (found.length > 0) console.warn(`test nodes left behind:\n  ${found.join("\n  ")}`);
}
