import { describe, expect, it } from "vitest";
import { StatesFailure } from "./errors.js";
import { parseIntrinsic } from "./intrinsics-parser.js";

describe("parseIntrinsic", () => {
  it("parses literals, paths and nested calls", () => {
    expect(parseIntrinsic("States.Format('it\\'s {}', $.a[0], -1.5, true, null, States.UUID())")).toEqual({
      kind: "call",
      name: "States.Format",
      args: [
        { kind: "literal", value: "it's {}" },
        { kind: "path", path: "$.a[0]" },
        { kind: "literal", value: -1.5 },
        { kind: "literal", value: true },
        { kind: "literal", value: null },
        { kind: "call", name: "States.UUID", args: [] },
      ],
    });
  });

  it("keeps a context path and a bracketed path whole", () => {
    expect(parseIntrinsic("States.Array($$.Execution.Id, $['a,b'])").args).toEqual([
      { kind: "path", path: "$$.Execution.Id" },
      { kind: "path", path: "$['a,b']" },
    ]);
  });

  it.each(["States.Format(", "Format('x')", "States.Array('x') extra", "States.Array('open)", "States.Array(,)"])(
    "refuses %s with States.IntrinsicFailure",
    (text) => {
      expect(() => parseIntrinsic(text)).toThrow(StatesFailure);
    },
  );
});
