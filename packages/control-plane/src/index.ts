// Public surface of the control plane package, for the process entry points and tests.

export type { AsyncQueue, QueueWorker } from "./async/queue/async-queue.js";
export { BullQueue, BullWorker, dueJobs, WORKER_CONNECTION_NAME } from "./async/queue/bullmq-queue.js";
export { ASYNC_STAGE_CHANNEL, type AsyncStage, type AsyncStageMark } from "./async/stage-marks.js";
export { type ControlPlaneConfig, ControlPlaneConfigSchema } from "./config.js";
export { type RunningControlPlane, startControlPlane } from "./control-plane.js";
export { type Exchanged, exchange } from "./routing/http-exchange.js";
export type { SecretContent, SecretsReader } from "./secrets/secrets-reader.js";
export { type AccountStore, createPgAccountStore } from "./store/account-store.js";
// An attempt's starts and ends as Postgres runs them, for the test of their plans (tests/async-store.test.ts).
export { attemptsStatement } from "./store/async-attempts.js";
export { type AsyncStore, createPgAsyncStore } from "./store/async-store.js";
export { createPgLogEventStore, type LogEventStore } from "./store/log-event-store.js";
export { createPgLogSweepStore, type LogSweepStore } from "./store/log-sweep-store.js";
export { migrate } from "./store/migrate.js";
export { createPgExecutionStore } from "./store/sfn-execution-store.js";
export { createPgUsageRollupStore, type UsageRollupStore } from "./store/usage-rollup-store.js";
export { createPgUsageStore, type UsageStore } from "./store/usage-store.js";
// The metering work on the invoke path, for the benchmark's cost row (tests/bench/observability.ts).
export { startQuotaGuard } from "./usage/quota-guard.js";
export { createUsageMeter } from "./usage/usage-meter.js";
export { answeredRow } from "./usage/usage-row.js";
