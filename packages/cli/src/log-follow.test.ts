import { describe, expect, it } from "vitest";
import type { InvocationLog } from "./log-api.js";
import { createLogWindow } from "./log-follow.js";

const log = (id: string, at = "2026-12-04T10:00:00Z"): InvocationLog => ({
  RequestId: id,
  FunctionName: "f",
  Version: "$LATEST",
  StartedAt: at,
  DurationMs: 1,
  Outcome: "success",
  Log: id,
});
const ids = (logs: InvocationLog[]) => logs.map((l) => l.RequestId);

describe("createLogWindow", () => {
  it("answers only what was not in the previous page, oldest first", () => {
    const w = createLogWindow([log("b"), log("a")]);
    expect(ids(w.fresh([log("b"), log("a")]))).toEqual([]);
    expect(ids(w.fresh([log("d"), log("c"), log("b"), log("a")]))).toEqual(["c", "d"]);
    expect(ids(w.fresh([log("e"), log("d"), log("c")]))).toEqual(["e"]);
  });

  it("answers a late finisher that starts before ones already printed", () => {
    const w = createLogWindow([log("b"), log("a")]);
    expect(ids(w.fresh([log("b"), log("late"), log("a")]))).toEqual(["late"]);
  });

  it("tells another attempt of the same request apart by its start", () => {
    const w = createLogWindow([log("r", "2026-12-04T10:00:00Z")]);
    expect(w.fresh([log("r", "2026-12-04T10:00:05Z"), log("r", "2026-12-04T10:00:00Z")])).toHaveLength(1);
  });
});
