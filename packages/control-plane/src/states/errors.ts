// The two ways the workflow engine says no. InvalidDefinition is a client error the
// Step Functions API renders (the definition is refused, nothing is stored);
// StatesFailure is an error inside a running execution, named as AWS names it
// (States.Runtime, States.NoChoiceMatched, a function's errorType...), which Retry and
// Catch see and which fails the execution when nothing handles it.
import { StratusError } from "@stratus/shared";

export class InvalidDefinitionError extends StratusError {
  constructor(readonly problems: string[]) {
    super("InvalidDefinition", 400, "client", `Invalid State Machine Definition: '${problems.join("; ")}'`);
  }
}

export class StatesFailure extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** A failure in the data of a state (a path matching nothing, a bad intrinsic argument). */
export const runtimeError = (cause: string) => new StatesFailure("States.Runtime", cause);

/** An intrinsic function called wrongly. */
export const intrinsicError = (cause: string) => new StatesFailure("States.IntrinsicFailure", cause);
