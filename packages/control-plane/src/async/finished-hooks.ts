// "An async invocation finished": a small listener interface on the async path, told
// of the final outcome (not of attempts that will be retried) of each invocation
// accepted as `awaited`, before that outcome is recorded. A workflow accepts its tasks'
// invocations so and registers one to bring a task's result back to its execution. A
// listener that throws fails the job, which runs again: listeners must be idempotent,
// and an outcome is then never lost to a crash between the two.
import type { AttemptCall } from "./attempt-call.js";

export interface InvocationFinished {
  invocationId: string;
  accountId: string;
  /** The function's result, or its error (errorType/errorMessage) and whether the function raised it. */
  outcome:
    | { ok: true; payload: Buffer }
    | { ok: false; functionError: boolean; errorType: string; errorMessage: string };
}

export type FinishedListener = (f: InvocationFinished) => Promise<void>;

export interface FinishedHooks {
  register(listener: FinishedListener): void;
  notify(f: InvocationFinished): Promise<void>;
}

export function createFinishedHooks(): FinishedHooks {
  const listeners: FinishedListener[] = [];
  return {
    register: (l) => {
      listeners.push(l);
    },
    async notify(f) {
      for (const l of listeners) await l(f);
    },
  };
}

function errorFields(v: unknown): { errorType: string; errorMessage: string } {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  return {
    errorType: typeof o.errorType === "string" ? o.errorType : "Unhandled",
    errorMessage: typeof o.errorMessage === "string" ? o.errorMessage : "",
  };
}

/** The outcome an attempt's call ended its invocation with. */
export function finishedOutcome(call: AttemptCall): InvocationFinished["outcome"] {
  if (call.outcome === "success" && call.result) return { ok: true, payload: call.result.payload };
  return { ok: false, functionError: call.outcome === "function_error", ...errorFields(call.error) };
}
