// Usage metering, assembled for a control plane (control-plane.ts): the meter of sync
// invokes, the quota guard of every invoke, the rollup loop, and the report service.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import type { ControlPlaneConfig } from "../config.js";
import type { AsyncService } from "../services/async-service.js";
import { createPgQuotaStore } from "../store/quota-store.js";
import { createPgUsageRollupStore } from "../store/usage-rollup-store.js";
import { createPgUsageStore } from "../store/usage-store.js";
import { type QuotaGuard, startQuotaGuard } from "./quota-guard.js";
import { type RollupLoop, startRollupLoop } from "./rollup-loop.js";
import { createUsageMeter, type UsageMeter } from "./usage-meter.js";
import { createUsageService, type UsageService } from "./usage-service.js";

export interface UsageMetering {
  meter: UsageMeter;
  quota: QuotaGuard;
  rollup: RollupLoop;
  service: UsageService;
  /** `async` with Event invokes refused, as sync ones are, once the account is at its quota. */
  quotaChecked(async: AsyncService): AsyncService;
  /** Stops the loops and writes the rows still queued. */
  close(): Promise<void>;
}

export function startUsageMetering(
  pool: Pool,
  config: Pick<ControlPlaneConfig, "usage" | "region" | "dbStatementTimeoutMs">,
  registry: Registry,
  log: Logger,
): UsageMetering {
  const store = createPgUsageStore(pool, config.dbStatementTimeoutMs);
  const quotas = createPgQuotaStore(pool, config.dbStatementTimeoutMs);
  const quota = startQuotaGuard(quotas, store, { refreshMs: config.usage.quotaRefreshMs, log });
  const meter = createUsageMeter(store.insert, registry, log);
  const rollup = startRollupLoop(
    createPgUsageRollupStore(pool),
    {
      intervalMs: config.usage.rollupIntervalMs,
      graceMs: config.usage.rollupGraceMs,
      retentionMs: config.usage.rawRetentionMs,
      maxHours: 48,
      pruneBatch: 10_000,
    },
    log,
  );
  const service = createUsageService(store, quotas, quota, { prices: config.usage.prices, region: config.region });
  return {
    meter,
    quota,
    rollup,
    service,
    quotaChecked: (async) => ({
      ...async,
      accept(accountId, ...rest) {
        quota.check(accountId);
        return async.accept(accountId, ...rest);
      },
    }),
    async close() {
      quota.stop();
      await rollup.stop();
      await meter.flush();
    },
  };
}
