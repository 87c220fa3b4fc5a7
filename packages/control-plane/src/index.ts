// Public surface of the control plane package, for the process entry points and tests.

export { dueJobs } from "./async/keep-alive/worker-stall.js";
export { WORKER_CONNECTION_NAME } from "./async/worker.js";
export { type ControlPlaneConfig, ControlPlaneConfigSchema } from "./config.js";
export { type RunningControlPlane, startControlPlane } from "./control-plane.js";
export { type Exchanged, exchange } from "./routing/http-exchange.js";
export { type AccountStore, createPgAccountStore } from "./store/account-store.js";
export { type AsyncStore, createPgAsyncStore } from "./store/async-store.js";
export { migrate } from "./store/migrate.js";
