import { describe, expect, it } from "vitest";
import { rollupWindow } from "./rollup-window.js";

const t = (s: string) => new Date(`2026-12-04T${s}Z`);
const GRACE = 120_000;

describe("rollupWindow", () => {
  it.each<[string, Date | null, Date | null, Date, number, [string, string] | undefined]>([
    ["nothing ever written", null, null, t("10:30:00"), 24, undefined],
    [
      "first pass: from the oldest row's hour to the last closed hour",
      null,
      t("07:12:00"),
      t("10:30:00"),
      24,
      ["07:00:00", "10:00:00"],
    ],
    ["the hour just ended waits out the grace", null, t("09:59:00"), t("10:01:00"), 24, undefined],
    ["past the grace it is rolled", null, t("09:59:00"), t("10:02:00"), 24, ["09:00:00", "10:00:00"]],
    ["no new closed hour: nothing", t("10:00:00"), t("07:00:00"), t("10:59:00"), 24, undefined],
    [
      "a new hour: it and the one before again",
      t("10:00:00"),
      t("07:00:00"),
      t("11:05:00"),
      24,
      ["09:00:00", "11:00:00"],
    ],
    ["catching up is bounded", null, t("00:10:00"), t("10:30:00"), 3, ["00:00:00", "03:00:00"]],
  ])("%s", (_label, rolled, oldest, now, maxHours, want) => {
    const w = rollupWindow(rolled, oldest, now, GRACE, maxHours);
    expect(w && [w.from.toISOString(), w.to.toISOString()]).toEqual(want?.map((x) => t(x).toISOString()));
  });
});
