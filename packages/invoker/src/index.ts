// Public surface of the invoker package, for the process entry point and tests.

export { type InvokerConfig, InvokerConfigSchema } from "./config.js";
export { type RunningInvoker, startInvoker } from "./invoker.js";
