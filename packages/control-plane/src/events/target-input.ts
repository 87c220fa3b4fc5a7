// What a rule's target is sent for an event, as EventBridge decides it: the event
// itself; or the target's Input (constant JSON); or the part of the event its
// InputPath selects; or its InputTransformer's template with the InputPathsMap
// values put in. JSONPath is jsonpath-plus's, with script expressions off.
import { JSONPath } from "jsonpath-plus";

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** How a target's input is made (at most one of the three; none: the event). */
export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

/** What the predefined variables of a template stand for. */
export interface RuleContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** The value at `path` in `event` (one match: itself; several: their list); undefined when none. */
export function select(event: unknown, path: string): unknown {
  const found = JSONPath({ path, json: event as object, wrap: true, eval: false }) as unknown[];
  if (found.length === 0) return undefined;
  return found.length === 1 && !/\*|\.\.|\[[^\]]*[,:]/.test(path) ? found[0] : found;
}

/** A value as it is put in a template: raw JSON outside quotes, its text (escaped) inside them. */
function render(value: unknown, quoted: boolean): string {
  if (!quoted) return value === undefined ? "null" : JSON.stringify(value);
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

const plain = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * InputTemplate with its `<name>` placeholders filled. A placeholder inside a JSON
 * string ("...<name>...") takes the value's text, escaped; anywhere else its JSON.
 * A template that is not JSON text (no surrounding quotes, braces or brackets) is sent
 * as the plain text it makes, as EventBridge does, values put in as text.
 */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  const t = template.trim();
  const json = t.startsWith("{") || t.startsWith("[") || t.startsWith('"');
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch === "<") {
      const end = template.indexOf(">", i);
      const name = end > i ? template.slice(i + 1, end) : "";
      if (/^[A-Za-z0-9_.-]+$/.test(name) && Object.hasOwn(values, name)) {
        out += json ? render(values[name], inString) : plain(values[name]);
        i = end;
        continue;
      }
    }
    if (json && ch === '"' && template[i - 1] !== "\\") inString = !inString;
    out += ch;
  }
  return out;
}

/** The payload the target is invoked with for `event`. */
export function targetPayload(target: TargetInput, event: Record<string, unknown>, ctx: RuleContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(select(event, target.InputPath) ?? null);
  if (target.InputTransformer) {
    const { detail: _detail, ...withoutDetail } = event;
    const values: Record<string, unknown> = {
      "aws.events.rule-arn": ctx.ruleArn,
      "aws.events.rule-name": ctx.ruleName,
      "aws.events.event.ingestion-time": ctx.ingestionTime,
      "aws.events.event": withoutDetail,
      "aws.events.event.json": event,
    };
    for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
      const v = select(event, path);
      // A path that finds nothing makes no variable: its placeholder is filled as missing.
      values[name] = v;
    }
    return fillTemplate(target.InputTransformer.InputTemplate, values);
  }
  return JSON.stringify(event);
}
