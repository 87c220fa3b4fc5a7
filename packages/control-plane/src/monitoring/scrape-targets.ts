// Prometheus HTTP service discovery (http_sd): the scrape targets of the platform,
// every live control-plane replica and every live invoker node, as the JSON list of
// target groups Prometheus reads, [{"targets": ["host:port"], "labels": {...}}]. One
// group per process, so each carries its own role and id as labels.
import type { NodeInfo } from "@stratus/shared";
import type { ReplicaInfo } from "./replica-registry.js";

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** The target groups of `replicas` and `nodes`, sorted so that a scrape of this list is stable. */
export function scrapeTargets(replicas: ReplicaInfo[], nodes: NodeInfo[]): TargetGroup[] {
  const planes = replicas.map((r) => ({
    targets: [r.target],
    labels: { stratus_role: "control-plane", stratus_instance: r.id },
  }));
  const invokers = nodes.flatMap((n) => {
    const target = hostPort(n.url);
    if (!target) return [];
    return [{ targets: [target], labels: { stratus_role: "invoker", stratus_instance: n.id } }];
  });
  const byTarget = (a: TargetGroup, b: TargetGroup) => (a.targets[0] ?? "").localeCompare(b.targets[0] ?? "");
  return [...planes.sort(byTarget), ...invokers.sort(byTarget)];
}

function hostPort(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.port) return u.host;
    return `${u.host}:${u.protocol === "https:" ? 443 : 80}`;
  } catch {
    return undefined;
  }
}
