// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern), parsed once into a
// matcher over an event's message. Two kinds, as CloudWatch has them: terms (all must
// be in the message, case-sensitive; "quoted phrases"; `-term` must not be; of `?term`s
// at least one must be) and JSON patterns over a message that is a JSON object
// (`{ $.level = "ERROR" && $.latency > 100 }`, see json-pattern.ts), space-delimited
// patterns (`[ip, user, ..., status_code = 4*]`, delimited-pattern.ts) and regular
// expressions (`%ERROR|WARN%`, regex-pattern.ts). A malformed pattern throws
// FilterPatternError, never anything else.
import { parseDelimitedPattern } from "./delimited-pattern.js";
import { type Matcher, parseJsonPattern } from "./json-pattern.js";
import { compileRegex, regexEnd } from "./regex-pattern.js";

export class FilterPatternError extends Error {}

export type { Matcher };

/** The longest pattern accepted (CloudWatch's limit). */
export const MAX_PATTERN_CHARS = 1024;

export function parseFilterPattern(pattern: string): Matcher {
  if (pattern.length > MAX_PATTERN_CHARS) {
    throw new FilterPatternError(`The filter pattern is longer than ${MAX_PATTERN_CHARS} characters`);
  }
  const text = pattern.trim();
  if (text === "" || text === '""') return () => true;
  const fail = (m: string) => new FilterPatternError(m);
  if (text.startsWith("{")) return parseJsonPattern(text, fail);
  if (text.startsWith("[")) return parseDelimitedPattern(text, fail);
  if (text.startsWith("%")) {
    const end = regexEnd(text, 0, fail);
    if (end !== text.length - 1) throw fail("A regular expression pattern (%...%) must be the whole filter pattern");
    return compileRegex(text.slice(1, end), fail);
  }
  return termMatcher(terms(text));
}

interface Term {
  kind: "all" | "not" | "any";
  text: string;
}

/** The pattern's terms, each bare (up to a space) or a quoted phrase with \" and \\ escapes. */
function terms(text: string): Term[] {
  const out: Term[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === " " || text[i] === "\t") {
      i++;
      continue;
    }
    let kind: Term["kind"] = "all";
    if (text[i] === "-" || text[i] === "?") {
      kind = text[i] === "-" ? "not" : "any";
      i++;
    }
    if (text[i] === '"') {
      const [phrase, end] = quoted(text, i);
      out.push({ kind, text: phrase });
      i = end;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== " " && text[end] !== "\t") end++;
    const word = text.slice(i, end);
    if (word === "") throw new FilterPatternError(`A '${kind === "not" ? "-" : "?"}' must be followed by a term`);
    if (word.includes('"')) throw new FilterPatternError(`Unbalanced quote in term ${word}`);
    out.push({ kind, text: word });
    i = end;
  }
  return out;
}

/** The phrase quoted at `text[start]` and the index after its closing quote. */
export function quoted(text: string, start: number): [string, number] {
  let out = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length) {
      out += text[++i];
    } else if (c === '"') {
      return [out, i + 1];
    } else {
      out += c;
    }
  }
  throw new FilterPatternError("Unterminated quoted phrase in the filter pattern");
}

function termMatcher(ts: Term[]): Matcher {
  const all = ts.filter((t) => t.kind === "all").map((t) => t.text);
  const not = ts.filter((t) => t.kind === "not").map((t) => t.text);
  const any = ts.filter((t) => t.kind === "any").map((t) => t.text);
  return (m) =>
    all.every((t) => m.includes(t)) &&
    !not.some((t) => m.includes(t)) &&
    (any.length === 0 || any.some((t) => m.includes(t)));
}
