import { describe, expect, it } from "vitest";
import { endLine, reportLine, startLine, tail } from "./log-format.js";

describe("log lines", () => {
  it("formats START, END and REPORT as Lambda does", () => {
    expect(startLine("r1", "$LATEST")).toBe("START RequestId: r1 Version: $LATEST");
    expect(endLine("r1")).toBe("END RequestId: r1");
    expect(reportLine("r1", { durationMs: 12.341, memoryMb: 128, maxMemoryUsedMb: 45 })).toBe(
      "REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 45 MB\t",
    );
    expect(reportLine("r1", { durationMs: 0.2, memoryMb: 256, maxMemoryUsedMb: 50, initDurationMs: 150.25 })).toBe(
      "REPORT RequestId: r1\tDuration: 0.20 ms\tBilled Duration: 151 ms\tMemory Size: 256 MB\tMax Memory Used: 50 MB\tInit Duration: 150.25 ms\t",
    );
  });
});

describe("tail", () => {
  it.each([
    ["short text kept whole", "hello", 10, "hello"],
    ["long text cut to the last bytes", "abcdefghij", 4, "ghij"],
    ["never splits a character", "aé€", 3, "€"],
  ])("%s", (_label, text, max, expected) => {
    expect(tail(text, max)).toBe(expected);
  });
});
