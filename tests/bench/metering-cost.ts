// The usage metering's share of a sync invoke's path, measured in process: what
// invoke-service.ts does per call (the quota check before placement; the usage row,
// the quota's local count and the meter's queueing once answered), against a quota
// guard holding a quota for the account so its check does its full work. The row's
// write to Postgres is batched after the answer and is not on the path.
import { answeredRow, createUsageMeter, startQuotaGuard } from "@stratus/control-plane";
import { formatRunUsage, parseRunUsage } from "@stratus/shared";
import { Registry } from "prom-client";
import { type Summary, summarize } from "./stats.js";

const CALLS = 200_000;
const BATCH = 1_000;

export async function measureMeteringCost(): Promise<Summary> {
  const accountId = "123456789012";
  const quotas = new Map([[accountId, { requests: 1e12, gbSeconds: 1e12 }]]);
  const guard = startQuotaGuard(
    { all: async () => quotas },
    { usedSinceWith: async () => ({ used: new Map(), written: new Set<string>() }) },
    { refreshMs: 60_000, log: { warn: () => {} } },
  );
  await guard.refresh();
  const meter = createUsageMeter(async () => {}, new Registry(), { error: () => {} });
  const spec = { accountId, functionName: "bench", version: "$LATEST", memoryMb: 128 };
  const header = formatRunUsage({
    outcome: "success",
    durationMs: 1.4,
    initMs: 0,
    billedMs: 2,
    memoryMb: 128,
    cold: false,
  });
  const perCallUs: number[] = [];
  try {
    for (let done = 0; done < CALLS; done += BATCH) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH; i++) {
        guard.check(accountId);
        // The invoker client's reading of the run's usage header, then the row and its counting.
        const usage = parseRunUsage(header);
        const row = answeredRow(
          { requestId: "r", attempt: 1, spec, qualifier: undefined, invocationType: "RequestResponse" },
          { payload: Buffer.alloc(0), usage },
        );
        guard.counted(row);
        meter.record(row);
      }
      perCallUs.push(((performance.now() - t0) * 1000) / BATCH);
      await meter.flush();
    }
  } finally {
    guard.stop();
  }
  return summarize(perCallUs);
}
