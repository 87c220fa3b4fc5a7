// Keeps the invoker nodes' provisioned containers to the stored configs: every round
// (every provisionedSets.intervalMs, and at once after a change) it plans where each
// config's containers go (provisioned-plan.ts), tells every live node its whole share,
// and writes back what the nodes report ready. Every control plane runs it; they plan
// alike from the same rows and node list, so what they tell a node agrees.
import {
  type InvokeSpec,
  internalInvoke,
  type Logger,
  type ProvisionedReport,
  type ProvisionedSet,
  type ProvisionedSetReport,
  provisionedSets,
} from "@stratus/shared";
import type { Alias, FunctionVersion } from "../domain.js";
import type { LiveNode, NodeDirectory } from "../routing/node-directory.js";
import { rankNodes } from "../routing/placement.js";
import { invokeSpecOf } from "../services/invoke-spec.js";
import type { ProvisionedConfig, ProvisionedStore } from "../store/provisioned-store.js";
import { allocationOf, configKey, planSets, splitByWeight, type Want } from "./provisioned-plan.js";

export interface ReconcilerDeps {
  store: ProvisionedStore;
  nodes: Pick<NodeDirectory, "liveNodes">;
  version(accountId: string, name: string, version: string): Promise<FunctionVersion | undefined>;
  alias(accountId: string, name: string, alias: string): Promise<Alias | undefined>;
  region: string;
  internalToken: string;
  log: Pick<Logger, "warn">;
  intervalMs?: number;
}

export interface ProvisionedReconciler {
  /** Runs a round soon (after a config changed). */
  nudge(): void;
  /** One round now; resolves when it is done (tests). */
  round(): Promise<void>;
  close(): void;
}

const SEND_TIMEOUT_MS = 5_000;

export function startProvisionedReconciler(deps: ReconcilerDeps): ProvisionedReconciler {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  /** Nodes last told they keep nothing (told again only once they are to keep something). */
  const toldEmpty = new Set<string>();
  /** Nodes whose last telling failed (logged once, until one succeeds). */
  const failing = new Set<string>();

  /** The versions a config stands for, as wants; or why it can have none now. */
  async function wantsOf(c: ProvisionedConfig): Promise<Want[] | string> {
    let parts: { version: string; count: number }[];
    if (/^[0-9]+$/.test(c.qualifier)) parts = [{ version: c.qualifier, count: c.requested }];
    else {
      const a = await deps.alias(c.accountId, c.functionName, c.qualifier);
      if (!a) return `Alias ${c.qualifier} no longer exists`;
      parts = splitByWeight(c.requested, a.functionVersion, a.additional);
    }
    const wants: Want[] = [];
    for (const p of parts) {
      const fn = await deps.version(c.accountId, c.functionName, p.version);
      if (!fn || p.version === "$LATEST")
        return `Version ${p.version} cannot be provisioned: it is not a published version of the function`;
      if (fn.state !== "Active") return `Version ${p.version} is ${fn.state}`;
      const spec = invokeSpecOf(fn, c.qualifier, deps.region);
      wants.push({
        config: configKey(c),
        setId: `${configKey(c)}/${fn.version}/${fn.revisionId}`,
        spec,
        count: p.count,
      });
    }
    return wants;
  }

  async function tell(node: LiveNode, sets: ProvisionedSet[]): Promise<ProvisionedSetReport[]> {
    if (sets.length === 0 && toldEmpty.has(node.id)) return [];
    try {
      const res = await fetch(`${node.url}${provisionedSets.path}`, {
        method: "PUT",
        headers: { "content-type": "application/json", [internalInvoke.tokenHeader]: deps.internalToken },
        body: JSON.stringify({ sets }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`node answered ${res.status}`);
      const reports = ((await res.json()) as ProvisionedReport).sets ?? [];
      failing.delete(node.id);
      if (sets.length === 0) toldEmpty.add(node.id);
      else toldEmpty.delete(node.id);
      return reports;
    } catch (err) {
      toldEmpty.delete(node.id);
      if (!failing.has(node.id))
        deps.log.warn(`provisioned concurrency: node ${node.id} was not told its share: ${(err as Error).message}`);
      failing.add(node.id);
      return [];
    }
  }

  async function once(): Promise<void> {
    const configs = await deps.store.all();
    const live = (await deps.nodes.liveNodes()).filter((n) => !n.draining);
    const wants: Want[] = [];
    const problems = new Map<string, string>();
    for (const c of configs) {
      const w = await wantsOf(c);
      if (typeof w === "string") problems.set(configKey(c), w);
      else wants.push(...w);
    }
    const rank = (spec: InvokeSpec) => rankNodes(live, `${spec.accountId}/${spec.functionName}/${spec.version}`);
    const plan = planSets(wants, live, rank);
    const told = await Promise.all(live.map((n) => tell(n, plan.byNode.get(n.id) ?? [])));
    const bySet = new Map<string, ProvisionedSetReport[]>();
    for (const r of told.flat()) bySet.set(r.id, [...(bySet.get(r.id) ?? []), r]);
    for (const c of configs) {
      const key = configKey(c);
      const reports = (plan.setsOf.get(key) ?? []).flatMap((id) => bySet.get(id) ?? []);
      const problem = problems.get(key);
      const a =
        live.length === 0 && !problem
          ? { allocated: 0, status: "IN_PROGRESS" as const, statusReason: "Waiting for an invoker node" }
          : allocationOf(c, reports, plan.unplaced.get(key) ?? 0, problem);
      if (a.allocated !== c.allocated || a.status !== c.status || a.statusReason !== c.statusReason)
        await deps.store.setAllocation(c, a);
    }
  }

  function round(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = once()
      .catch((err: Error) => deps.log.warn(`provisioned concurrency round failed: ${err.message}`))
      .finally(() => {
        running = undefined;
        if (again && !closed) {
          again = false;
          void round();
        }
      });
    return running;
  }

  const timer = setInterval(() => void round(), deps.intervalMs ?? provisionedSets.intervalMs);
  timer.unref();
  return {
    nudge: () => void round(),
    round,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
