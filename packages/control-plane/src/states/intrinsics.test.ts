import { describe, expect, it } from "vitest";
import { StatesFailure } from "./errors.js";
import { evaluateIntrinsic } from "./intrinsics.js";
import { seededRandom } from "./rng.js";

const run = (text: string, data: Record<string, unknown> = {}, seed = "s") =>
  evaluateIntrinsic(text, (p) => data[p.slice(2)] as never, seededRandom(seed));

describe("evaluateIntrinsic", () => {
  it("keeps the empty pieces StringSplit makes", () => {
    expect(run("States.StringSplit('a,,b,', ',')")).toEqual(["a", "", "b", ""]);
  });

  it("draws the same UUID and MathRandom from the same seed, others from another", () => {
    expect(run("States.UUID()", {}, "one")).toBe(run("States.UUID()", {}, "one"));
    expect(run("States.UUID()", {}, "one")).not.toBe(run("States.UUID()", {}, "two"));
    expect(run("States.MathRandom(0, 1000000)", {}, "one")).toBe(run("States.MathRandom(0, 1000000)", {}, "one"));
  });

  it.each([
    ["States.Format('{} {}', 'only one')", /more placeholders/],
    ["States.Format('{}', 'a', 'b')", /more arguments/],
    ["States.Format('{}', States.Array(1))", /scalars/],
    ["States.MathAdd(1.5, 1)", /integer/],
    ["States.JsonMerge($.a, $.a, true)", /shallow/],
    ["States.Hash('x', 'SHA-3')", /algorithm/],
    ["States.ArrayRange(1, 5000, 1)", /at most 1000/],
    ["States.StringToJson('{oops')", /not JSON/],
    ["States.Nope()", /Unknown intrinsic/],
  ])("fails %s with States.IntrinsicFailure", (text, why) => {
    let error: unknown;
    try {
      run(text, { a: { x: 1 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatesFailure);
    expect((error as StatesFailure).error).toBe("States.IntrinsicFailure");
    expect((error as StatesFailure).cause).toMatch(why);
  });
});
