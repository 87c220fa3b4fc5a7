// Where an async event a function discarded goes: the DeadLetterConfig queue or topic
// of the version that ran it (the attempt's executed version), else of the version its
// qualifier names now (an attempt that never ran). A function or version gone has none.
import { StratusError } from "@stratus/shared";
import type { FunctionService } from "../services/function-service.js";
import type { AsyncInvocation } from "../store/async-store.js";

export function functionDeadLetters(functions: Pick<FunctionService, "get">) {
  return async (inv: AsyncInvocation, executedVersion?: string): Promise<string | undefined> => {
    try {
      const fn = await functions.get(inv.accountId, inv.functionName, executedVersion ?? inv.qualifier);
      return fn.deadLetterTarget || undefined;
    } catch (err) {
      if (err instanceof StratusError && err.status === 404) return undefined;
      throw err;
    }
  };
}
