// ScalingConfig.MaximumConcurrency as the runner sees it: that many poll loops for one
// mapping, each gathering and sending its own batch, so at most that many batches are
// in flight at once. Any source whose records need no order across batches (SQS) can
// use it; the group stops when all its loops have.
import type { MappingRunner } from "./mapping-runner.js";

export function startRunnerGroup(revision: number, size: number, startOne: () => MappingRunner): MappingRunner {
  const runners = Array.from({ length: Math.max(1, size) }, startOne);
  return {
    revision,
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
