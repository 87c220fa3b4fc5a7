// Markers a function prints itself (its input logged, or on purpose): without the
// nonce issued for its run they end nothing, and stay in the log where printed.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ContainerLog } from "./container-log.js";
import { LOG_MARKER_PREFIX } from "./log-markers.js";

const WRONG = "0123456789abcdef0123456789abcdef";

/** A container log of a marking runtime, with the first run (r1) issued. */
function setUp() {
  const out = new PassThrough();
  const err = new PassThrough();
  const log = new ContainerLog([out, err], 10_000, { markers: true });
  const n1 = log.issue("r1");
  /** The runtime's own end of `requestId`'s run issued `nonce`, on `streams`. */
  const end = (requestId: string, nonce: string, ...streams: PassThrough[]) => {
    for (const s of streams) s.write(`${LOG_MARKER_PREFIX}${requestId} ${nonce}\n`);
  };
  /** A second run, r2, that prints one line and ends: what a clean next log looks like. */
  const next = async () => {
    const n2 = log.issue("r2");
    out.write("r2 line\n");
    end("r2", n2, out);
    return log.take(n2, [0]);
  };
  return { out, err, log, n1, end, next };
}

describe("ContainerLog, against forged markers", () => {
  it.each([
    ["its own request id without a nonce (the old marker)", `${LOG_MARKER_PREFIX}r1`],
    ["its own request id with a wrong nonce", `${LOG_MARKER_PREFIX}r1 ${WRONG}`],
    ["a made-up request id", `${LOG_MARKER_PREFIX}made-up`],
    ["a made-up request id with a nonce", `${LOG_MARKER_PREFIX}made-up ${WRONG}`],
    ["a bare prefix", LOG_MARKER_PREFIX.trimEnd()],
  ])("keeps every line around a marker of %s, in order", async (_name, forged) => {
    const { out, log, n1, end, next } = setUp();
    out.write(`before\n${forged}\nafter\n`);
    end("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual(["before", forged, "after"]);
    expect(await next()).toEqual(["r2 line"]);
  });

  it("takes the run's own nonce under another request id for output", async () => {
    const { out, log, n1, end, next } = setUp();
    out.write(`before\n${LOG_MARKER_PREFIX}r2 ${n1}\nafter\n`);
    end("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual(["before", `${LOG_MARKER_PREFIX}r2 ${n1}`, "after"]);
    expect(await next()).toEqual(["r2 line"]);
  });

  it("takes a spent nonce for output: a marker of an earlier run replayed", async () => {
    const { out, log, n1, end } = setUp();
    out.write("run 1\n");
    end("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual(["run 1"]);
    const n2 = log.issue("r1");
    out.write(`before\n${LOG_MARKER_PREFIX}r1 ${n1}\nafter\n`);
    end("r1", n2, out);
    expect(await log.take(n2, [0])).toEqual(["before", `${LOG_MARKER_PREFIX}r1 ${n1}`, "after"]);
  });

  it("keeps a forged marker written in pieces as one line, and finds the real one written in pieces", async () => {
    const { out, log, n1, next } = setUp();
    const forged = `${LOG_MARKER_PREFIX}r1 ${WRONG}`;
    out.write("before\n");
    out.write(forged.slice(0, 5));
    out.write(forged.slice(5, 20));
    out.write(`${forged.slice(20)}\nafter\n`);
    const real = `${LOG_MARKER_PREFIX}r1 ${n1}\n`;
    out.write(real.slice(0, 9));
    out.write(real.slice(9));
    expect(await log.take(n1, [0])).toEqual(["before", forged, "after"]);
    expect(await next()).toEqual(["r2 line"]);
  });

  it("keeps a forged marker on stderr only, and the stderr lines after it, in this run's log", async () => {
    const { out, err, log, n1, end, next } = setUp();
    const forged = `${LOG_MARKER_PREFIX}r1`;
    err.write(`err 1\n${forged}\n`);
    await new Promise((r) => setTimeout(r, 5));
    out.write("out 1\n");
    await new Promise((r) => setTimeout(r, 5));
    err.write("err 2\n");
    end("r1", n1, out, err);
    expect(await log.take(n1, [0, 1])).toEqual(["err 1", forged, "out 1", "err 2"]);
    expect(await next()).toEqual(["r2 line"]);
  });

  it("keeps a forged marker inside one runtime message (console.log's \\r) as part of it", async () => {
    const { out, log, n1, end } = setUp();
    out.write(`ts\tr1\tINFO\tuser said\r${LOG_MARKER_PREFIX}r1 ${WRONG}\n`);
    end("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual([`ts\tr1\tINFO\tuser said\n${LOG_MARKER_PREFIX}r1 ${WRONG}`]);
  });

  it("counts the run's nonce once per stream: a second marker with it is output", async () => {
    const { out, log, n1, end } = setUp();
    out.write("run 1\n");
    end("r1", n1, out);
    out.write("printed later\n");
    end("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual(["run 1"]);
    const n2 = log.issue("r2");
    end("r2", n2, out);
    expect(await log.take(n2, [0])).toEqual(["printed later", `${LOG_MARKER_PREFIX}r1 ${n1}`]);
  });

  describe("with fake timers", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("does not put a runtime without markers into waiting for them", async () => {
      vi.useFakeTimers();
      const out = new PassThrough();
      const err = new PassThrough();
      const log = new ContainerLog([out, err], 10_000);
      const n1 = log.issue("r1");
      out.write(`${LOG_MARKER_PREFIX}r1\nafter\n`);
      const taken = log.take(n1);
      // The quiet moment of a runtime without markers, not the long wait for them.
      await vi.advanceTimersByTimeAsync(50);
      expect(await Promise.race([taken, Promise.resolve("still waiting")])).toEqual([
        `${LOG_MARKER_PREFIX}r1`,
        "after",
      ]);
    });
  });
});
