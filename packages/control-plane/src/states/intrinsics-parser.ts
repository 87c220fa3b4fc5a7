// The argument syntax of the intrinsic functions: `States.Name(arg, ...)` where an
// argument is a 'string' (with \' \{ \} \\ escapes), a number, true/false/null, a
// path ($..., $$...) or another intrinsic call. Parsed to a small tree; intrinsics.ts
// evaluates it.
import { intrinsicError } from "./errors.js";

export type IntrinsicArg =
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "path"; path: string }
  | IntrinsicCall;

export interface IntrinsicCall {
  kind: "call";
  name: string;
  args: IntrinsicArg[];
}

export function parseIntrinsic(text: string): IntrinsicCall {
  const p = new Parser(text.trim());
  const call = p.call();
  p.skipSpace();
  if (!p.atEnd()) throw p.fail("unexpected text after the closing parenthesis");
  return call;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd() {
    return this.i >= this.s.length;
  }

  fail(why: string) {
    return intrinsicError(`Invalid intrinsic function '${this.s}': ${why} at position ${this.i}`);
  }

  skipSpace() {
    while (this.s[this.i] === " " || this.s[this.i] === "\t" || this.s[this.i] === "\n") this.i++;
  }

  call(): IntrinsicCall {
    const m = /^States\.[A-Za-z0-9]+/.exec(this.s.slice(this.i));
    if (!m) throw this.fail("expected a States.* function name");
    this.i += m[0].length;
    this.skipSpace();
    if (this.s[this.i] !== "(") throw this.fail("expected '('");
    this.i++;
    const args: IntrinsicArg[] = [];
    this.skipSpace();
    if (this.s[this.i] === ")") {
      this.i++;
      return { kind: "call", name: m[0], args };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.arg());
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === ")") return { kind: "call", name: m[0], args };
      if (c !== ",") throw this.fail("expected ',' or ')'");
    }
  }

  arg(): IntrinsicArg {
    const c = this.s[this.i];
    if (c === "'") return { kind: "literal", value: this.string() };
    if (c === "$") return { kind: "path", path: this.path() };
    if (this.s.startsWith("States.", this.i)) return this.call();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) throw this.fail("expected an argument");
    this.i += m[0].length;
    const lit = m[0];
    return {
      kind: "literal",
      value: lit === "true" ? true : lit === "false" ? false : lit === "null" ? null : Number(lit),
    };
  }

  string(): string {
    let out = "";
    this.i++;
    while (!this.atEnd()) {
      const c = this.s[this.i++] as string;
      if (c === "'") return out;
      if (c === "\\") {
        const n = this.s[this.i++];
        if (n === undefined) break;
        // \{ and \} stay escaped so States.Format can tell them from placeholders.
        out += n === "{" || n === "}" ? `\\${n}` : n;
      } else out += c;
    }
    throw this.fail("unterminated string");
  }

  /** A path runs to the next top-level ',' or ')' (brackets and quotes inside it are kept). */
  path(): string {
    const start = this.i;
    let depth = 0;
    let quote: string | undefined;
    while (!this.atEnd()) {
      const c = this.s[this.i] as string;
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "[" || c === "(") depth++;
      else if (c === "]" || (c === ")" && depth > 0)) depth--;
      else if ((c === "," || c === ")") && depth === 0) break;
      this.i++;
    }
    return this.s.slice(start, this.i).trim();
  }
}
