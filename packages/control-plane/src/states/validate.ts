// Definition validation: the schema and graph checks of asl-validator (a maintained
// implementation of the States Language's rules), then our own: what the engine does
// not run is refused by name (distributed Map, other service integrations, ...), and
// intrinsic calls and JSONata expressions must parse. Problems become one
// InvalidDefinition naming each of them; a definition that passes is one decide() runs.
import validator from "asl-validator";
import jsonata from "jsonata";
import { InvalidDefinitionError } from "./errors.js";
import { intrinsicNames } from "./intrinsics.js";
import { parseIntrinsic } from "./intrinsics-parser.js";
import { isExpression } from "./jsonata-eval.js";
import { parseTaskResource } from "./task-resources.js";
import type { Definition, StateDef, StatesBlock } from "./types.js";

/** Fields of the language the engine does not implement, per state type, with why. */
const refused: Record<string, Record<string, string>> = {
  Map: {
    ItemReader: "distributed Map (ItemReader) is not supported",
    ResultWriter: "distributed Map (ResultWriter) is not supported",
    ItemBatcher: "Map ItemBatcher is not supported",
    Label: "Map Label (distributed Map) is not supported",
  },
  Task: {
    Credentials: "Task Credentials (cross-account roles) are not supported",
  },
};

/** Every state of a definition with where it is, branches and iterations included. */
export function* walk(block: StatesBlock, where: string): Generator<[string, StateDef]> {
  for (const [name, state] of Object.entries(block.States ?? {})) {
    yield [`${where}/States/${name}`, state];
    for (const [i, branch] of ((state.Branches ?? []) as StatesBlock[]).entries()) {
      yield* walk(branch, `${where}/States/${name}/Branches/${i}`);
    }
    const processor = (state.ItemProcessor ?? state.Iterator) as StatesBlock | undefined;
    if (processor) yield* walk(processor, `${where}/States/${name}/ItemProcessor`);
  }
}

function* strings(value: unknown, key = ""): Generator<[string, string]> {
  if (typeof value === "string") yield [key, value];
  else if (Array.isArray(value)) for (const v of value) yield* strings(v, key);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* strings(v, k);
}

function checkState(where: string, state: StateDef, jsonataDefault: boolean): string[] {
  const problems: string[] = [];
  const jsonataState = (state.QueryLanguage ?? (jsonataDefault ? "JSONata" : "JSONPath")) === "JSONata";
  for (const [field, why] of Object.entries(refused[state.Type] ?? {})) {
    if (field in state) problems.push(`UNSUPPORTED_FIELD: ${why} at ${where}`);
  }
  const mode = (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode;
  if (mode === "DISTRIBUTED")
    problems.push(`UNSUPPORTED_FIELD: distributed Map (ProcessorConfig.Mode DISTRIBUTED) is not supported at ${where}`);
  const { HeartbeatSeconds: beat, TimeoutSeconds: limit } = state;
  if (state.Type === "Task" && typeof beat === "number" && typeof limit === "number" && beat >= limit)
    problems.push(`SCHEMA_VALIDATION_FAILED: HeartbeatSeconds must be less than TimeoutSeconds at ${where}`);
  if (state.Type === "Task" && typeof state.Resource === "string") {
    const resource = parseTaskResource(state.Resource);
    if ("unsupported" in resource) problems.push(`UNSUPPORTED_RESOURCE: ${resource.unsupported} at ${where}`);
  }
  if (!jsonataState && "Assign" in state)
    problems.push(`UNSUPPORTED_FIELD: Assign is supported in JSONata states only, at ${where}`);
  for (const field of ["Parameters", "ResultSelector", "ItemSelector"]) {
    if (jsonataState) break;
    for (const [key, value] of strings(state[field])) {
      if (!key.endsWith(".$") || !value.startsWith("States.")) continue;
      try {
        const call = parseIntrinsic(value);
        const unknown = [call, ...call.args].find((c) => c.kind === "call" && !intrinsicNames.includes(c.name));
        if (unknown && unknown.kind === "call")
          problems.push(`INVALID_INTRINSIC: unknown function ${unknown.name} at ${where}/${field}`);
      } catch (e) {
        problems.push(
          `INVALID_INTRINSIC: ${(e as Error).message.replace(/^States\.IntrinsicFailure: /, "")} at ${where}/${field}`,
        );
      }
    }
  }
  if (jsonataState) {
    for (const [, value] of strings(state)) {
      if (!isExpression(value)) continue;
      try {
        jsonata(value.trim().slice(2, -2));
      } catch (e) {
        problems.push(`INVALID_JSONATA: ${(e as Error).message} in '${value}' at ${where}`);
      }
    }
  }
  return problems;
}

/** The definition, parsed and checked; throws InvalidDefinitionError naming every problem found. */
export function validateDefinition(text: string): Definition {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (e) {
    throw new InvalidDefinitionError([`INVALID_JSON_DESCRIPTION: ${(e as Error).message}`]);
  }
  if (!definition || typeof definition !== "object" || Array.isArray(definition)) {
    throw new InvalidDefinitionError(["SCHEMA_VALIDATION_FAILED: the definition must be a JSON object"]);
  }
  // asl-validator writes default QueryLanguage fields into what it is given: hand it a copy.
  const result = validator(structuredClone(definition), { checkPaths: true, checkArn: false });
  const problems = result.errors.map((e) => `${e["Error code"]}: ${e.Message}`);
  if (problems.length === 0) {
    const def = definition as Definition;
    for (const [where, state] of walk(def, ""))
      problems.push(...checkState(where, state, def.QueryLanguage === "JSONata"));
  }
  if (problems.length > 0) throw new InvalidDefinitionError(problems);
  return definition as Definition;
}
