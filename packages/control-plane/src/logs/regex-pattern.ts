// CloudWatch's regular expressions in filter patterns (`%...%`): the restricted subset
// AWS documents (letters, digits, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . ; no parentheses, no multi-byte characters), checked before
// compiling, then run on RE2JS, a port of RE2 that matches in time linear in the
// message, so no pattern can backtrack catastrophically on a hostile line.
import { RE2JS } from "re2js";

/** How many regular expressions one pattern may hold (CloudWatch's limit). */
export const MAX_REGEXES = 2;

type Fail = (message: string) => Error;

const PLAIN = /[A-Za-z0-9:_#=@/;,\-^$?[\]{}|*+.]/;

/** Where the `%` that closes the regular expression opened at `text[start]` is. */
export function regexEnd(text: string, start: number, fail: Fail): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === "%") return i;
  }
  throw fail("Unterminated regular expression (a %...% without its closing %)");
}

/** A matcher for the regular expression `body` (the text between the % signs), searched anywhere in a string. */
export function compileRegex(body: string, fail: Fail): (s: string) => boolean {
  if (body === "") throw fail("Empty regular expression (%%)");
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "\\") {
      const next = body[i + 1];
      if (next === undefined || next.charCodeAt(0) > 0x7e || next.charCodeAt(0) < 0x21) {
        throw fail("A backslash in a regular expression must escape a printable character");
      }
      i++;
      continue;
    }
    if (c === "(" || c === ")") throw fail("Parentheses are not supported in CloudWatch regular expressions");
    if (c.charCodeAt(0) > 0x7f) throw fail("Multi-byte characters are not supported in CloudWatch regular expressions");
    if (!PLAIN.test(c)) {
      throw fail(
        `The character '${c}' is not supported in CloudWatch regular expressions${c === " " ? " (use \\s)" : ""}`,
      );
    }
  }
  try {
    const re = RE2JS.compile(body);
    return (s) => re.test(s);
  } catch (err) {
    throw fail(`Invalid regular expression %${body}%: ${(err as Error).message}`);
  }
}
