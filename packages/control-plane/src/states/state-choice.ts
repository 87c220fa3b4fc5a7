// Choice: the first rule that holds names the next state, else Default, else the
// thread fails with States.NoChoiceMatched. JSONPath rules are choice-rules.ts's;
// JSONata rules are a `Condition` expression, with Output and Assign per rule.
import { evaluateRule } from "./choice-rules.js";
import type { Decider, StepResult } from "./decider.js";
import { StatesFailure } from "./errors.js";
import type { Thread } from "./history.js";
import { stateOutput } from "./io.js";
import { evaluateField } from "./jsonata-eval.js";
import { applyFilterPath } from "./paths.js";
import type { StateDef } from "./types.js";

type Rule = Record<string, unknown> & { Next?: string };

export async function stepChoice(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const s = d.scopes(t);
  const rules = (def.Choices ?? []) as Rule[];
  let chosen: Rule | undefined;
  if (s.jsonata) {
    for (const rule of rules) {
      const holds = await evaluateField(rule.Condition, s.jsonataScope(), "Condition");
      if (typeof holds !== "boolean") {
        throw new StatesFailure(
          "States.QueryEvaluationError",
          `A Condition gave ${JSON.stringify(holds)}, not a boolean`,
        );
      }
      if (holds) {
        chosen = rule;
        break;
      }
    }
  } else {
    const input = applyFilterPath(t.input, def.InputPath, "InputPath", s.path);
    chosen = rules.find((rule) => evaluateRule(rule, input, s.path));
  }
  const next = chosen?.Next ?? (def.Default as string | undefined);
  if (next === undefined) {
    throw new StatesFailure(
      "States.NoChoiceMatched",
      `No Choice Rules matched and no Default was specified for state ${t.state}`,
    );
  }
  // A JSONata rule's own Output/Assign replace the state's.
  const out = await stateOutput(
    {
      ...def,
      ...(chosen?.Output !== undefined ? { Output: chosen.Output } : {}),
      ...(chosen?.Assign !== undefined ? { Assign: chosen.Assign } : {}),
    },
    t.input,
    undefined,
    s,
  );
  return d.exit(t, out.output, next, out.assigned);
}
