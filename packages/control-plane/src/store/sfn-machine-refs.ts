// What EventBridge and Scheduler ask of Step Functions when a target names a state
// machine: whether it is one of the caller's that exists. They never read the
// machine store themselves.
import type { MachineStore } from "./sfn-machine-store.js";

export interface MachineRefs {
  /** Why `arn` cannot be a target of `accountId`'s, or undefined when it names one of its machines. */
  fault(accountId: string, arn: string): Promise<string | undefined>;
}

export function createMachineRefs(store: Pick<MachineStore, "get">, region: string): MachineRefs {
  return {
    async fault(accountId, arn) {
      const m = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:[A-Za-z0-9_-]{1,80}$/.exec(arn);
      if (!m) return `${arn.slice(0, 1600)} is not a state machine ARN`;
      if (m[2] !== accountId || m[1] !== region)
        return `${arn} is not a state machine of account ${accountId} in ${region}`;
      if (!(await store.get(accountId, arn))) return `The state machine ${arn} does not exist`;
      return undefined;
    },
  };
}
