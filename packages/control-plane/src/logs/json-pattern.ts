// CloudWatch's JSON filter patterns: `{ SELECTOR OP VALUE }` joined by `&&` and `||`
// (`&&` binding tighter) and grouped in parentheses, over a message that is a JSON
// object. A selector is `$` then `.name` and `[index]` steps; OP one of = != < > <= >=;
// VALUE a "string", a bare word (= and != only, `*` a wildcard), a %regex% (= and !=
// only, regex-pattern.ts) or a number. Also
// `IS NULL`, `IS TRUE`, `IS FALSE`, `EXISTS` and `NOT EXISTS`. A key that is absent
// matches no comparison.
import { compileRegex, MAX_REGEXES, regexEnd } from "./regex-pattern.js";

/** Whether a log message matches a filter pattern. */
export type Matcher = (message: string) => boolean;

export type Token =
  | { t: "punct"; v: string }
  | { t: "str"; v: string }
  | { t: "word"; v: string }
  | { t: "re"; v: string };
type Node = (doc: unknown) => boolean;
type Fail = (message: string) => Error;

export const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const STOP = new Set([" ", "\t", "\n", "\r", "(", ")", "{", "}", "=", "!", "<", ">", "&", "|", '"']);

/** The tokens of a JSON pattern, and of a space-delimited one (which adds `[`, `]`, `,` and `...`). */
export function lex(text: string, fail: Fail, delimited = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const two = text.slice(i, i + 2);
    if (/\s/.test(c)) i++;
    else if (["&&", "||", "!=", "<=", ">="].includes(two)) {
      out.push({ t: "punct", v: two });
      i += 2;
    } else if (delimited && text.startsWith("...", i)) {
      out.push({ t: "punct", v: "..." });
      i += 3;
    } else if ("{}()=<>".includes(c) || (delimited && "[],".includes(c))) {
      out.push({ t: "punct", v: c });
      i++;
    } else if (c === '"') {
      let v = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++)
        v += text[j] === "\\" && j + 1 < text.length ? text[++j] : text[j];
      if (j >= text.length) throw fail("Unterminated string in the JSON filter pattern");
      out.push({ t: "str", v });
      i = j + 1;
    } else if (c === "%") {
      const end = regexEnd(text, i, fail);
      out.push({ t: "re", v: text.slice(i + 1, end) });
      if (out.filter((t) => t.t === "re").length > MAX_REGEXES) {
        throw fail(`A filter pattern may hold at most ${MAX_REGEXES} regular expressions`);
      }
      i = end + 1;
    } else if (c === "&" || c === "|" || c === "!") {
      throw fail(`Unexpected '${c}' in the JSON filter pattern`);
    } else {
      let j = i;
      while (j < text.length && !STOP.has(text[j] as string) && !(delimited && "],".includes(text[j] as string))) j++;
      if (j === i) throw fail(`Unexpected '${c}' in the filter pattern`);
      out.push({ t: "word", v: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

type Step = string | number;

function selector(word: string, fail: Fail): Step[] {
  if (!word.startsWith("$")) throw fail(`Expected a selector starting with $, found ${word}`);
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_@:-]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < word.length) {
    const m = re.exec(word);
    if (!m) throw fail(`Invalid selector ${word}`);
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  if (steps.length === 0) throw fail(`Invalid selector ${word}: it selects no field`);
  return steps;
}

const ABSENT = Symbol("absent");

function select(doc: unknown, steps: Step[]): unknown {
  let v: unknown = doc;
  for (const s of steps) {
    if (typeof s === "number" ? !Array.isArray(v) : typeof v !== "object" || v === null || Array.isArray(v)) {
      return ABSENT;
    }
    const container = v as Record<string | number, unknown>;
    if (!Object.hasOwn(container, s)) return ABSENT;
    v = container[s];
  }
  return v;
}

/** A glob (`*` any run of characters) as an anchored regular expression. */
export function glob(value: string): RegExp {
  const body = value
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** Whether a string compares to `value` by `op` (= or !=): a %regex% searched, else a glob matched whole. */
export function stringTest(op: string, value: Token, fail: Fail): (s: string) => boolean {
  if (op !== "=" && op !== "!=") throw fail(`The operator ${op} needs a numeric value, found ${value.v}`);
  const test =
    value.t === "re"
      ? compileRegex(value.v, fail)
      : (
          (re) => (s: string) =>
            re.test(s)
        )(glob(value.v));
  return op === "=" ? test : (s) => !test(s);
}

function comparison(steps: Step[], op: string, value: Token, fail: Fail): Node {
  const numeric = value.t === "word" && NUMBER.test(value.v);
  if (numeric) {
    const n = Number(value.v);
    const cmp: Record<string, (a: number) => boolean> = {
      "=": (a) => a === n,
      "!=": (a) => a !== n,
      "<": (a) => a < n,
      ">": (a) => a > n,
      "<=": (a) => a <= n,
      ">=": (a) => a >= n,
    };
    const f = cmp[op] as (a: number) => boolean;
    return (doc) => {
      const v = select(doc, steps);
      return typeof v === "number" && f(v);
    };
  }
  const test = stringTest(op, value, fail);
  return (doc) => {
    const v = select(doc, steps);
    return typeof v === "string" && test(v);
  };
}

class Parser {
  private i = 0;
  constructor(
    private readonly ts: Token[],
    private readonly fail: Fail,
  ) {}

  private peek(): Token | undefined {
    return this.ts[this.i];
  }

  private next(what: string): Token {
    const t = this.ts[this.i++];
    if (!t) throw this.fail(`The JSON filter pattern ends where ${what} was expected`);
    return t;
  }

  private expect(v: string): void {
    const t = this.next(`'${v}'`);
    if (t.t !== "punct" || t.v !== v) throw this.fail(`Expected '${v}' in the JSON filter pattern, found ${t.v}`);
  }

  whole(): Node {
    this.expect("{");
    const node = this.or();
    this.expect("}");
    if (this.peek()) throw this.fail(`Unexpected ${this.peek()?.v} after the JSON filter pattern's closing brace`);
    return node;
  }

  private or(): Node {
    const parts = [this.and()];
    while (this.peek()?.v === "||" && this.peek()?.t === "punct") {
      this.i++;
      parts.push(this.and());
    }
    return parts.length === 1 ? (parts[0] as Node) : (d) => parts.some((p) => p(d));
  }

  private and(): Node {
    const parts = [this.unary()];
    while (this.peek()?.v === "&&" && this.peek()?.t === "punct") {
      this.i++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? (parts[0] as Node) : (d) => parts.every((p) => p(d));
  }

  private unary(): Node {
    const t = this.next("a condition");
    if (t.t === "punct" && t.v === "(") {
      const inner = this.or();
      this.expect(")");
      return inner;
    }
    if (t.t !== "word") throw this.fail(`Expected a selector in the JSON filter pattern, found ${t.v}`);
    const steps = selector(t.v, this.fail);
    const op = this.next("an operator");
    if (op.t === "word") return this.keyword(steps, op.v);
    if (op.t !== "punct" || !["=", "!=", "<", ">", "<=", ">="].includes(op.v)) {
      throw this.fail(`Expected an operator after ${t.v}, found ${op.v}`);
    }
    const value = this.next("a value");
    if (value.t === "punct") throw this.fail(`Expected a value after ${t.v} ${op.v}, found ${value.v}`);
    return comparison(steps, op.v, value, this.fail);
  }

  private keyword(steps: Step[], word: string): Node {
    const w = word.toUpperCase();
    if (w === "EXISTS") return (d) => select(d, steps) !== ABSENT;
    const second = this.next(`a keyword after ${word}`).v.toUpperCase();
    if (w === "NOT" && second === "EXISTS") return (d) => select(d, steps) === ABSENT;
    const is: Record<string, unknown> = { NULL: null, TRUE: true, FALSE: false };
    if (w === "IS" && Object.hasOwn(is, second)) return (d) => select(d, steps) === is[second];
    throw this.fail(`Unknown condition ${word} ${second} in the JSON filter pattern`);
  }
}

export function parseJsonPattern(text: string, fail: Fail): Matcher {
  const node = new Parser(lex(text, fail), fail).whole();
  return (message) => {
    const start = message.indexOf("{");
    if (start < 0) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === "object" && doc !== null && !Array.isArray(doc) && node(doc);
  };
}
