// CloudWatch's space-delimited filter patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`
// names the fields of a message split on spaces (text in "double quotes" or [brackets]
// is one field, without them). `...` stands for any number of fields; without one, the
// message must have as many fields as the pattern. A field may carry conditions:
// OP VALUE (= != < > <= >=; a number, a "string", a bare word with `*` wildcards, or a
// %regex%), joined by && and || (&& binding tighter), in parentheses, and naming
// another field of the pattern (`status_code = 4* && bytes > 1000`).
import { glob, lex, type Matcher, NUMBER, stringTest, type Token } from "./json-pattern.js";

type Fail = (message: string) => Error;
type Fields = Map<string, string>;
type Cond = (fields: Fields) => boolean;

/** A message's fields: runs of non-space, or "quoted" or [bracketed] text (without its delimiters). */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|\[([^\]]*)\]|(\S+)/g;
  for (let m = re.exec(message); m; m = re.exec(message)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

const OPS = ["=", "!=", "<", ">", "<=", ">="];

function compare(name: string, op: string, value: Token, fail: Fail): Cond {
  if (value.t === "word" && NUMBER.test(value.v)) {
    const n = Number(value.v);
    const test: Record<string, (a: number) => boolean> = {
      "=": (a) => a === n,
      "!=": (a) => a !== n,
      "<": (a) => a < n,
      ">": (a) => a > n,
      "<=": (a) => a <= n,
      ">=": (a) => a >= n,
    };
    const f = test[op] as (a: number) => boolean;
    return (fields) => {
      const v = fields.get(name) as string;
      return NUMBER.test(v) && f(Number(v));
    };
  }
  const test = value.t === "str" ? literal(op, value.v, fail) : stringTest(op, value, fail);
  return (fields) => test(fields.get(name) as string);
}

/** A "quoted" value is taken whole, but `*` still stands for any run of characters. */
function literal(op: string, v: string, fail: Fail): (s: string) => boolean {
  if (op !== "=" && op !== "!=") throw fail(`The operator ${op} needs a numeric value, found "${v}"`);
  const re = glob(v);
  return op === "=" ? (s) => re.test(s) : (s) => !re.test(s);
}

class Parser {
  private i = 0;
  readonly names: (string | undefined)[] = [];
  readonly conds: Cond[] = [];
  private readonly used: string[] = [];

  constructor(
    private readonly ts: Token[],
    private readonly fail: Fail,
  ) {}

  private peek = () => this.ts[this.i];
  private next(what: string): Token {
    const t = this.ts[this.i++];
    if (!t) throw this.fail(`The space-delimited filter pattern ends where ${what} was expected`);
    return t;
  }
  private isPunct = (v: string) => this.peek()?.t === "punct" && this.peek()?.v === v;

  whole(): void {
    if (!this.isPunct("[")) throw this.fail("A space-delimited filter pattern starts with [");
    this.i++;
    for (;;) {
      this.element();
      const t = this.next("',' or ']'");
      if (t.t === "punct" && t.v === "]") break;
      if (t.t !== "punct" || t.v !== ",") throw this.fail(`Expected ',' or ']' in the filter pattern, found ${t.v}`);
    }
    if (this.peek()) throw this.fail(`Unexpected ${this.peek()?.v} after the filter pattern's closing ]`);
    for (const n of this.used) {
      if (!this.names.includes(n)) throw this.fail(`The condition names ${n}, which is not a field of the pattern`);
    }
  }

  private element(): void {
    const t = this.next("a field name");
    if (t.t === "punct" && t.v === "...") {
      this.names.push(undefined);
      return;
    }
    if (t.t !== "word" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.v)) {
      throw this.fail(`Expected a field name in the filter pattern, found ${t.v}`);
    }
    if (this.names.includes(t.v)) throw this.fail(`The field ${t.v} is named twice in the filter pattern`);
    this.names.push(t.v);
    if (this.isPunct(",") || this.isPunct("]")) return;
    this.conds.push(this.or(t.v));
  }

  private or(field: string): Cond {
    const parts = [this.and(field)];
    while (this.isPunct("||")) {
      this.i++;
      parts.push(this.and(field));
    }
    return parts.length === 1 ? (parts[0] as Cond) : (f) => parts.some((p) => p(f));
  }

  private and(field: string): Cond {
    const parts = [this.atom(field)];
    while (this.isPunct("&&")) {
      this.i++;
      parts.push(this.atom(field));
    }
    return parts.length === 1 ? (parts[0] as Cond) : (f) => parts.every((p) => p(f));
  }

  private atom(field: string): Cond {
    if (this.isPunct("(")) {
      this.i++;
      const inner = this.or(field);
      const close = this.next("')'");
      if (close.t !== "punct" || close.v !== ")")
        throw this.fail(`Expected ')' in the filter pattern, found ${close.v}`);
      return inner;
    }
    let name = field;
    if (this.peek()?.t === "word") {
      name = (this.next("a field name") as Token).v;
      this.used.push(name);
    }
    const op = this.next("an operator");
    if (op.t !== "punct" || !OPS.includes(op.v)) throw this.fail(`Expected an operator after ${name}, found ${op.v}`);
    const value = this.next("a value");
    if (value.t === "punct") throw this.fail(`Expected a value after ${name} ${op.v}, found ${value.v}`);
    return compare(name, op.v, value, this.fail);
  }
}

/** The ways the pattern's names can sit over a message's fields, each as the fields they name. */
function placements(names: (string | undefined)[], fail: Fail): (fields: string[]) => Fields[] {
  const dots = names.flatMap((x, i) => (x === undefined ? [i] : []));
  const named = names.filter((x): x is string => x !== undefined);
  if (dots.length === 0) {
    return (fields) => (fields.length === names.length ? [bind(named, fields, 0)] : []);
  }
  const head = names.slice(0, dots[0]) as string[];
  const tail = names.slice((dots.at(-1) as number) + 1) as string[];
  const middle = names.slice((dots[0] as number) + 1, dots.at(-1)).filter((x) => x !== undefined) as string[];
  if (dots.length > 2) throw fail("Stratus supports at most two '...' in a filter pattern");
  return (fields) => {
    const fixed = head.length + tail.length + middle.length;
    if (fields.length < fixed) return [];
    const base = new Map([...bind(head, fields, 0), ...bind(tail, fields, fields.length - tail.length)]);
    if (middle.length === 0) return [base];
    const out: Fields[] = [];
    for (let at = head.length; at + middle.length <= fields.length - tail.length; at++) {
      out.push(new Map([...base, ...bind(middle, fields, at)]));
    }
    return out;
  };
}

function bind(names: string[], fields: string[], from: number): Fields {
  return new Map(names.map((name, i) => [name, fields[from + i] as string]));
}

export function parseDelimitedPattern(text: string, fail: Fail): Matcher {
  const p = new Parser(lex(text, fail, true), fail);
  p.whole();
  const place = placements(p.names, fail);
  const conds = p.conds;
  return (message) => place(splitFields(message.trim())).some((f) => conds.every((c) => c(f)));
}
