// The node's firewall over a recorded iptables: which rules it installs, in which
// order, that it undoes a half-made install, and that it refuses to go on without
// iptables (a node whose functions could reach the host must not run them).
import { describe, expect, it } from "vitest";
import { chainRules, chainsOf, type FirewallSpec, installFunctionFirewall } from "./function-firewall.js";

const spec: FirewallSpec = {
  nodeId: "node-a",
  bridge: "stfn-0123456789",
  runtimeApiPort: 41234,
  deniedCidrs: ["169.254.0.0/16", "10.9.0.0/16"],
};

/** An iptables that records each command and fails those `fails` picks. */
function recorder(fails: (args: string[]) => boolean = () => false) {
  const calls: string[] = [];
  const run = async (args: string[]) => {
    calls.push(args.join(" "));
    return !fails(args);
  };
  return { calls, run };
}

describe("the function firewall", () => {
  it("lets functions reach only the Runtime API port on the host, and refuses the denied ranges off it", () => {
    const rules = chainRules(spec);
    expect(rules.input.map((r) => r.join(" "))).toEqual([
      "-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
      "-p tcp --dport 41234 -j ACCEPT",
      "-p tcp -j REJECT --reject-with tcp-reset",
      "-j REJECT --reject-with icmp-port-unreachable",
    ]);
    expect(rules.forward.map((r) => r.join(" "))).toEqual([
      "-d 169.254.0.0/16 -p tcp -j REJECT --reject-with tcp-reset",
      "-d 169.254.0.0/16 -j REJECT --reject-with icmp-port-unreachable",
      "-d 10.9.0.0/16 -p tcp -j REJECT --reject-with tcp-reset",
      "-d 10.9.0.0/16 -j REJECT --reject-with icmp-port-unreachable",
    ]);
  });

  it("fills its chains before jumping to them from INPUT and DOCKER-USER, for its bridge only", async () => {
    const ipt = recorder((args) => args[0] === "-D");
    await installFunctionFirewall(spec, ipt.run);
    const { input, forward } = chainsOf(spec.nodeId);
    const jumps = ipt.calls.filter((c) => c.startsWith("-I "));
    expect(jumps).toEqual([
      `-I INPUT 1 -i ${spec.bridge} -m comment --comment stratus-node=node-a -j ${input}`,
      `-I DOCKER-USER 1 -i ${spec.bridge} -m comment --comment stratus-node=node-a -j ${forward}`,
    ]);
    const lastAppend = ipt.calls.map((c) => c.startsWith("-A ")).lastIndexOf(true);
    expect(lastAppend).toBeLessThan(ipt.calls.indexOf(jumps[0] as string));
    expect(input.length).toBeLessThanOrEqual(28);
    expect(forward.length).toBeLessThanOrEqual(28);
  });

  it("refuses to start without DOCKER-USER or iptables, and says how to run without it", async () => {
    const ipt = recorder((args) => args[0] === "-S");
    await expect(installFunctionFirewall(spec, ipt.run)).rejects.toThrow(/STRATUS_FUNCTION_FIREWALL=off/);
    expect(ipt.calls).toEqual(["-S DOCKER-USER"]);
  });

  it("takes down what it made when a step fails part-way", async () => {
    let made = 0;
    const ipt = recorder((args) => args[0] === "-D" || (args[0] === "-A" && ++made === 3));
    await expect(installFunctionFirewall(spec, ipt.run)).rejects.toThrow(/iptables -A/);
    const { input, forward } = chainsOf(spec.nodeId);
    expect(ipt.calls.slice(-4)).toEqual([`-F ${input}`, `-X ${input}`, `-F ${forward}`, `-X ${forward}`]);
  });

  it("replaces an earlier run's jumps instead of adding a second copy", async () => {
    let leftovers = 2;
    const ipt = recorder((args) => args[0] === "-D" && leftovers-- <= 0);
    await installFunctionFirewall(spec, ipt.run);
    expect(ipt.calls.filter((c) => c.startsWith("-D ")).length).toBe(4);
  });
});
