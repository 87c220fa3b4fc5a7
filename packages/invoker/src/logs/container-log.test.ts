import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ContainerLog, LOG_MARKER_PREFIX } from "./container-log.js";

const streams = () => [new PassThrough(), new PassThrough()] as const;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("ContainerLog", () => {
  it("cuts output at each invocation's markers, in arrival order", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000);
    out.write("init line\n");
    out.write("a1\n");
    await tick();
    err.write("a2\n");
    await tick();
    out.write(`${LOG_MARKER_PREFIX}r1\n`);
    out.write("b1 (next invocation)\n");
    err.write(`${LOG_MARKER_PREFIX}r1\n`);
    expect(await log.take("r1")).toEqual(["init line", "a1", "a2"]);
    out.write(`${LOG_MARKER_PREFIX}r2\n`);
    err.write(`${LOG_MARKER_PREFIX}r2\n`);
    expect(await log.take("r2")).toEqual(["b1 (next invocation)"]);
  });

  it("falls back to quiet streams for runtimes without markers", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000);
    out.write("hello\n");
    err.write("oops\n");
    await tick();
    expect(await log.take("r1")).toEqual(["hello", "oops"]);
  });

  it("caps an invocation's log with a truncation marker", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 20);
    out.write("0123456789\n0123456789\n0123456789\n");
    out.write(`${LOG_MARKER_PREFIX}r1\n`);
    err.write(`${LOG_MARKER_PREFIX}r1\n`);
    expect(await log.take("r1")).toEqual(["0123456789", "[stratus] log truncated at 20 bytes"]);
  });
});
