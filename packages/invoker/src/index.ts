// Public surface of the invoker package, for the process entry point and tests.

export { createDockerBackend } from "./backend/docker-backend.js";
export { containerCreateOptions } from "./backend/docker-create-options.js";
export { dockerOomEvents } from "./backend/docker-oom-events.js";
export { type InvokerConfig, InvokerConfigSchema } from "./config.js";
export { type RunningInvoker, startInvoker } from "./invoker.js";
export { boundByHostTasks, readHostTaskLimits } from "./node/host-tasks.js";
