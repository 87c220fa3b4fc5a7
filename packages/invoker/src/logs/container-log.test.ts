import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ContainerLog } from "./container-log.js";
import { LOG_MARKER_PREFIX } from "./log-markers.js";

const streams = () => [new PassThrough(), new PassThrough()] as const;
const tick = () => new Promise((r) => setTimeout(r, 5));
/** The marker a Stratus runtime prints for the run of `requestId` issued `nonce`. */
const marker = (requestId: string, nonce: string) => `${LOG_MARKER_PREFIX}${requestId} ${nonce}\n`;
const mark = (requestId: string, nonce: string, ...on: PassThrough[]) => {
  for (const s of on) s.write(marker(requestId, nonce));
};

describe("ContainerLog", () => {
  it("cuts output at each invocation's markers, in arrival order", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000);
    const n1 = log.issue("r1");
    out.write("init line\n");
    out.write("a1\n");
    await tick();
    err.write("a2\n");
    await tick();
    mark("r1", n1, out);
    out.write("b1 (next invocation)\n");
    mark("r1", n1, err);
    expect(await log.take(n1)).toEqual(["init line", "a1", "a2"]);
    const n2 = log.issue("r2");
    mark("r2", n2, out, err);
    expect(await log.take(n2)).toEqual(["b1 (next invocation)"]);
  });

  it("issues a fresh nonce for every run, of one request id too", () => {
    const log = new ContainerLog(streams() as unknown as PassThrough[], 10_000);
    const nonces = new Set(Array.from({ length: 50 }, () => log.issue("r1")));
    expect(nonces.size).toBe(50);
    for (const n of nonces) expect(n).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gives each run of one request id its own lines when the second starts before the first's markers are in", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000, { markers: true });
    // An async retry reruns its request id in the same container: run 1's stderr marker trails run 2's stdout.
    const n1 = log.issue("r1");
    out.write("run 1 out\n");
    mark("r1", n1, out);
    const first = log.take(n1);
    const n2 = log.issue("r1");
    out.write("run 2 out\n");
    mark("r1", n2, out);
    const second = log.take(n2);
    await tick();
    err.write("run 1 err\n");
    mark("r1", n1, err);
    err.write("run 2 err\n");
    mark("r1", n2, err);
    expect(await first).toEqual(["run 1 out", "run 1 err"]);
    expect(await second).toEqual(["run 2 out", "run 2 err"]);
  });

  it("keeps a message a runtime wrote with its newlines as \\r as one line, its newlines restored", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000, { markers: true });
    const n1 = log.issue("r1");
    out.write("2026-01-01T00:00:00.000Z\tr1\tINFO\tfirst\rsecond\rthird\n");
    out.write("windows line\r\n");
    mark("r1", n1, out);
    expect(await log.take(n1, [0])).toEqual([
      "2026-01-01T00:00:00.000Z\tr1\tINFO\tfirst\nsecond\nthird",
      "windows line",
    ]);
  });

  it("finds a marker after output that a program ended with a bare \\r or no line end at all", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000, { markers: true });
    const n1 = log.issue("r1");
    out.write("\r10%\r50%\r100%\n");
    out.write("\r20%\r");
    mark("r1", n1, out);
    err.write("no line end");
    mark("r1", n1, err);
    out.write("next\n");
    expect(await log.take(n1)).toEqual(["10%\n50%\n100%", "20%", "no line end"]);
    const n2 = log.issue("r2");
    mark("r2", n2, out, err);
    expect(await log.take(n2)).toEqual(["next"]);
  });

  it("gives a runtime without markers the line it has not ended, and keeps it out of the next log", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000);
    out.write("\r10%\r50%");
    await tick();
    expect(await log.take(log.issue("r1"))).toEqual(["10%\n50%"]);
    out.write("\r100%\n");
    await tick();
    expect(await log.take(log.issue("r2"))).toEqual(["100%"]);
  });

  it("falls back to quiet streams for runtimes without markers", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 10_000);
    out.write("hello\n");
    err.write("oops\n");
    await tick();
    expect(await log.take(log.issue("r1"))).toEqual(["hello", "oops"]);
  });

  describe("with fake timers", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("waits for the markers as long as output keeps coming after the result", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000);
      const n0 = log.issue("r0");
      mark("r0", n0, out, err);
      expect(await log.take(n0)).toEqual([]);
      const n1 = log.issue("r1");
      const taken = log.take(n1);
      const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
      // A second of output, 100 ms apart: never quiet for long, though longer than any quiet limit in all.
      for (const line of lines) {
        out.write(`${line}\n`);
        await vi.advanceTimersByTimeAsync(100);
      }
      mark("r1", n1, out, err);
      expect(await taken).toEqual(lines);
    });

    it("waits for the markers of a container's first invocation when told the runtime prints them", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000, { markers: true });
      const n1 = log.issue("r1");
      const taken = log.take(n1);
      // Gaps longer than the quiet moment that ends the log of a runtime without markers.
      for (const line of ["a", "b", "c"]) {
        out.write(`${line}\n`);
        await vi.advanceTimersByTimeAsync(50);
      }
      mark("r1", n1, out, err);
      expect(await taken).toEqual(["a", "b", "c"]);
    });

    it("outlasts a stall of the engine's stream between a runtime's lines and its markers", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000, { markers: true });
      const n1 = log.issue("r1");
      const taken = log.take(n1);
      out.write("before the stall\n");
      await vi.advanceTimersByTimeAsync(1_000);
      out.write("after the stall\n");
      mark("r1", n1, out, err);
      expect(await taken).toEqual(["before the stall", "after the stall"]);
    });

    it("waits only for the markers the runtime says it printed", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000, { markers: true });
      // A quiet invocation: no marker anywhere, and no wait at all.
      expect(await log.take(log.issue("r1"), [])).toEqual([]);
      const n2 = log.issue("r2");
      err.write("only stderr\n");
      mark("r2", n2, err);
      // No timer advances: the one marker named is enough.
      expect(await log.take(n2, [1])).toEqual(["only stderr"]);
    });

    it("keeps a marker that comes after its log was cut out of the next run of the same request id", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000, { markers: true });
      const n1 = log.issue("r1");
      out.write("run 1\n");
      mark("r1", n1, out);
      const first = log.take(n1);
      // Run 1's stderr marker is stuck for longer than the wait for it.
      await vi.advanceTimersByTimeAsync(15_000);
      expect(await first).toEqual(["run 1"]);
      err.write("run 1, late\n");
      mark("r1", n1, err);
      const n2 = log.issue("r1");
      out.write("run 2\n");
      mark("r1", n2, out);
      const second = log.take(n2);
      err.write("run 2 err\n");
      mark("r1", n2, err);
      expect(await second).toEqual(["run 2", "run 2 err"]);
    });

    it("stops waiting for markers once the container's streams have closed", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 10_000, { markers: true });
      const n1 = log.issue("r1");
      out.write("last words\n");
      out.end();
      err.end();
      // No timer advances: the closed streams alone end the wait.
      expect(await log.take(n1)).toEqual(["last words"]);
    });

    it("stops waiting once the output has passed the cap, and keeps the rest out of the next log", async () => {
      vi.useFakeTimers();
      const [out, err] = streams();
      const log = new ContainerLog([out, err], 20);
      const n0 = log.issue("r0");
      mark("r0", n0, out, err);
      expect(await log.take(n0)).toEqual([]);
      const n1 = log.issue("r1");
      const taken = log.take(n1);
      out.write("0123456789\n0123456789\n0123456789\n");
      // No timer advances: passing the cap alone ends the wait.
      expect(await taken).toEqual(["0123456789", "[stratus] log truncated at 20 bytes"]);
      out.write("more of r1\n");
      mark("r1", n1, out, err);
      const n2 = log.issue("r2");
      mark("r2", n2, out, err);
      expect(await log.take(n2)).toEqual([]);
    });
  });

  it("caps an invocation's log with a truncation marker", async () => {
    const [out, err] = streams();
    const log = new ContainerLog([out, err], 20);
    const n1 = log.issue("r1");
    out.write("0123456789\n0123456789\n0123456789\n");
    mark("r1", n1, out, err);
    expect(await log.take(n1)).toEqual(["0123456789", "[stratus] log truncated at 20 bytes"]);
  });
});
