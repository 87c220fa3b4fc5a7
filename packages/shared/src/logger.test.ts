import { describe, expect, it, vi } from "vitest";
import { consoleLogger, type Logger, LogLevelSchema, type PinoLike, pinoLogger, toLogger } from "./logger.js";

function fakeSink() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe("consoleLogger", () => {
  it("writes a bare message as console does, and fields after the message", () => {
    const sink = fakeSink();
    const log = consoleLogger(sink);
    log.warn("plain");
    log.error("with fields", { requestId: "r1" });
    expect(sink.warn).toHaveBeenCalledWith("plain");
    expect(sink.error).toHaveBeenCalledWith("with fields", { requestId: "r1" });
  });

  it("binds a child's context to its every line, under the line's own fields", () => {
    const sink = fakeSink();
    const log = consoleLogger(sink).child({ node: "n1", requestId: "outer" });
    log.info("bare");
    log.info("own", { requestId: "inner" });
    expect(sink.info).toHaveBeenNthCalledWith(1, "bare", { node: "n1", requestId: "outer" });
    expect(sink.info).toHaveBeenNthCalledWith(2, "own", { node: "n1", requestId: "inner" });
  });

  it.each([
    ["info", ["info", "warn", "error"], ["debug"]],
    ["debug", ["debug", "info", "warn", "error"], []],
    ["error", ["error"], ["debug", "info", "warn"]],
    ["silent", [], ["debug", "info", "warn", "error"]],
  ] as const)("at level %s writes %j and drops %j", (level, written, dropped) => {
    const sink = fakeSink();
    const log = consoleLogger(sink, level);
    for (const at of [...written, ...dropped]) {
      expect(log.isLevelEnabled(at)).toBe((written as readonly string[]).includes(at));
      log[at](at);
    }
    const lines = [...sink.info.mock.calls, ...sink.warn.mock.calls, ...sink.error.mock.calls].map((c) => c[0]);
    expect(lines.sort()).toEqual([...written].sort());
  });
});

describe("toLogger", () => {
  it("passes a Logger through and adapts console or a fake", () => {
    const real: Logger = consoleLogger(fakeSink());
    expect(toLogger(real)).toBe(real);
    const sink = fakeSink();
    toLogger(sink).warn("adapted", { requestId: "r2" });
    expect(sink.warn).toHaveBeenCalledWith("adapted", { requestId: "r2" });
  });
});

describe("pinoLogger", () => {
  it("hands pino the fields first, as pino takes them, and binds children through pino", () => {
    const lines: unknown[][] = [];
    const fake = (bindings: object): PinoLike => ({
      error: (fields, msg) => lines.push(["error", { ...bindings, ...fields }, msg]),
      warn: (fields, msg) => lines.push(["warn", { ...bindings, ...fields }, msg]),
      info: (fields, msg) => lines.push(["info", { ...bindings, ...fields }, msg]),
      debug: (fields, msg) => lines.push(["debug", { ...bindings, ...fields }, msg]),
      child: (more) => fake({ ...bindings, ...more }),
      isLevelEnabled: (level) => level !== "debug",
    });
    const log = pinoLogger(fake({}));
    log.warn("bare");
    log.child({ requestId: "r3" }).error("bound", { code: "X" });
    expect(lines).toEqual([
      ["warn", {}, "bare"],
      ["error", { requestId: "r3", code: "X" }, "bound"],
    ]);
    expect(log.isLevelEnabled("debug")).toBe(false);
  });
});

describe("LogLevelSchema", () => {
  it("defaults to info and refuses a level pino does not have", () => {
    expect(LogLevelSchema.parse(undefined)).toBe("info");
    expect(LogLevelSchema.parse("debug")).toBe("debug");
    expect(LogLevelSchema.safeParse("verbose").success).toBe(false);
  });
});
