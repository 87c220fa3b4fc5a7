// The node's firewall rules for its functions network, owned by the invoker: a
// function container may reach its Runtime API (the one port the node serves on the
// network's gateway) and, through the host, the outside world; never another port of
// the host (Postgres, Redis, the control plane, the invoker's own API, Docker's API,
// whatever else listens there), nor the denied ranges (the link-local metadata
// address by default). Containers of one network cannot reach each other (the bridge
// has ICC off, docker-backend.ts); Docker already keeps different networks apart.
// Rules live in two chains of the node's own, jumped to for packets from its bridge:
// from INPUT (to the host) and from Docker's DOCKER-USER (forwarded elsewhere).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FirewallSpec {
  /** The node (named in a comment on each jump, so leftovers can be found). */
  nodeId: string;
  /** The functions network's bridge on the host. */
  bridge: string;
  /** The Runtime API's TCP port on the network's gateway. */
  runtimeApiPort: number;
  /** The Stratus endpoint's forwarding port on the gateway (endpoint-proxy.ts), if the node serves one. */
  endpointPort?: number;
  /** Destinations refused to functions even when forwarded off the host (CIDRs). */
  deniedCidrs: string[];
}

export interface FunctionFirewall {
  /** Removes the node's rules and chains. */
  close(): Promise<void>;
}

/** Runs one iptables command (waiting for the xtables lock); resolves false when it fails. */
export type IptablesRunner = (args: string[]) => Promise<boolean>;

export const iptables: IptablesRunner = async (args) => {
  try {
    await run("iptables", ["-w", "5", ...args]);
    return true;
  } catch {
    return false;
  }
};

/** The node's two chains (iptables chain names are at most 28 characters). */
export function chainsOf(nodeId: string): { input: string; forward: string } {
  const hash = createHash("sha256").update(nodeId).digest("hex").slice(0, 10);
  return { input: `STRATUS-IN-${hash}`, forward: `STRATUS-FWD-${hash}` };
}

/** The rules of each chain, in order (iptables arguments after `-A CHAIN`). */
export function chainRules(spec: FirewallSpec): { input: string[][]; forward: string[][] } {
  const refuse = [
    ["-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"],
    ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"],
  ];
  return {
    input: [
      ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
      ["-p", "tcp", "--dport", String(spec.runtimeApiPort), "-j", "ACCEPT"],
      ...(spec.endpointPort !== undefined ? [["-p", "tcp", "--dport", String(spec.endpointPort), "-j", "ACCEPT"]] : []),
      ...refuse,
    ],
    forward: spec.deniedCidrs.flatMap((cidr) => refuse.map((r) => ["-d", cidr, ...r])),
  };
}

/** The jumps into the node's chains: [built-in chain, rule arguments]. */
function jumps(spec: FirewallSpec): Array<[string, string[]]> {
  const chains = chainsOf(spec.nodeId);
  const comment = ["-m", "comment", "--comment", `stratus-node=${spec.nodeId}`];
  return [
    ["INPUT", ["-i", spec.bridge, ...comment, "-j", chains.input]],
    ["DOCKER-USER", ["-i", spec.bridge, ...comment, "-j", chains.forward]],
  ];
}

/**
 * Installs (or replaces) the node's rules; throws when it cannot, since a node
 * whose functions could reach the host's services must not run them.
 */
export async function installFunctionFirewall(
  spec: FirewallSpec,
  ipt: IptablesRunner = iptables,
): Promise<FunctionFirewall> {
  if (!(await ipt(["-S", "DOCKER-USER"]))) {
    throw new Error(
      "cannot isolate function containers: iptables failed or Docker's DOCKER-USER chain is missing " +
        "(the invoker needs CAP_NET_ADMIN on the host's network, and Docker its iptables rules); " +
        "STRATUS_FUNCTION_FIREWALL=off runs without this isolation",
    );
  }
  await removeRules(spec, ipt);
  const chains = chainsOf(spec.nodeId);
  const rules = chainRules(spec);
  const steps: string[][] = [
    ["-N", chains.input],
    ["-N", chains.forward],
    ...rules.input.map((r) => ["-A", chains.input, ...r]),
    ...rules.forward.map((r) => ["-A", chains.forward, ...r]),
    ...jumps(spec).map(([chain, rule]) => ["-I", chain, "1", ...rule]),
  ];
  for (const step of steps) {
    if (!(await ipt(step))) {
      await removeRules(spec, ipt);
      throw new Error(`cannot isolate function containers: iptables ${step.join(" ")} failed`);
    }
  }
  return { close: () => removeRules(spec, ipt) };
}

/** Removes the node's jumps (every copy) and chains; nothing there is fine. */
export async function removeRules(spec: Pick<FirewallSpec, "nodeId" | "bridge">, ipt = iptables): Promise<void> {
  for (const [chain, rule] of jumps({ ...spec, runtimeApiPort: 0, deniedCidrs: [] })) {
    for (let i = 0; i < 16 && (await ipt(["-D", chain, ...rule])); i++);
  }
  const chains = chainsOf(spec.nodeId);
  for (const chain of [chains.input, chains.forward]) {
    await ipt(["-F", chain]);
    await ipt(["-X", chain]);
  }
}
