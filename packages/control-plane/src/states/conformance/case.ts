// One row of the conformance table: a state machine, its input and the fake functions
// it calls, with the output or error Step Functions gives. `source` cites the section
// of the Amazon States Language specification (states-language.net) or of the Step
// Functions developer guide the row is taken from.
import type { FakeFunction } from "../memory-driver.js";
import type { Definition, Json } from "../types.js";

export interface ConformanceCase {
  name: string;
  source: string;
  definition: Definition;
  input: Json;
  functions?: Record<string, FakeFunction>;
  machines?: Record<string, Definition>;
  expect:
    | { output: Json }
    | { error: string; cause?: string | RegExp; status?: "FAILED" | "TIMED_OUT" }
    | { check: (output: Json) => boolean };
  /** Exact number of invocations of fake functions, when the case is about how many ran. */
  invocations?: number;
}

export const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A one-state machine around `state` (its End set). */
export const single = (state: Record<string, unknown>, extra: Partial<Definition> = {}): Definition => ({
  StartAt: "S",
  States: {
    S: {
      ...state,
      ...(state.Type === "Choice" || state.Type === "Succeed" || state.Type === "Fail" ? {} : { End: true }),
    } as Definition["States"][string],
  },
  ...extra,
});
