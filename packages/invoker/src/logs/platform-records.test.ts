import { describe, expect, it } from "vitest";
import { keepsPlatformRecords, platformReport, platformStart } from "./platform-records.js";

describe("platform records", () => {
  it("writes platform.start and platform.report as Lambda's JSON log format has them", () => {
    const at = Date.parse("2026-01-02T03:04:05.678Z");
    expect(JSON.parse(platformStart(at, "r1", "$LATEST"))).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      type: "platform.start",
      record: { requestId: "r1", version: "$LATEST" },
    });
    expect(
      JSON.parse(
        platformReport(
          at,
          "r1",
          { durationMs: 2.1234, memoryMb: 128, maxMemoryUsedMb: 40, initDurationMs: 100.5 },
          "success",
        ),
      ),
    ).toEqual({
      time: "2026-01-02T03:04:05.678Z",
      type: "platform.report",
      record: {
        requestId: "r1",
        metrics: {
          durationMs: 2.123,
          billedDurationMs: 3,
          memorySizeMB: 128,
          maxMemoryUsedMB: 40,
          initDurationMs: 100.5,
        },
        status: "success",
      },
    });
  });

  it.each([
    [undefined, true],
    ["DEBUG", true],
    ["INFO", true],
    ["WARN", false],
  ])("system level %s keeps them: %s", (level, kept) => {
    expect(keepsPlatformRecords(level)).toBe(kept);
  });
});
