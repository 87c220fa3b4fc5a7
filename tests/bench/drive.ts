// Drives a sync benchmark row: `concurrency` loops calling for a fixed time, with the
// machine's busy share and each kind of process's CPU time over the same span.
import { readFileSync } from "node:fs";
import { type KnownPids, measureCpuByProcess, type ProcessKind } from "./cpu-by-process.js";
import { type Summary, summarize } from "./stats.js";

export interface RateRow {
  perSecond: number;
  n: number;
  latency: Summary;
  /** Share of the machine's CPU time (all cores) that was busy during the row. */
  cpuBusy: number;
  /** CPU milliseconds per completed call, by kind of process (cpu-by-process.ts). */
  cpuMsPerCall: CpuMsPerCall;
}

/** Busy and total CPU time of the whole machine so far, from /proc/stat. */
function cpuTimes(): { busy: number; total: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU ms per call by kind of process, as RateRow has it. */
export type CpuMsPerCall = Partial<Record<ProcessKind, number>>;

/**
 * Starts reading the machine's CPU; the returned function ends the reading with the
 * machine's busy share and each kind of process's CPU per call, over `calls` calls.
 */
export function measureCpu(known: KnownPids): (calls: number) => Pick<RateRow, "cpuBusy" | "cpuMsPerCall"> {
  const byProcess = measureCpuByProcess(known);
  const cpu0 = cpuTimes();
  return (calls) => {
    const cpu1 = cpuTimes();
    const cpuMsPerCall: CpuMsPerCall = {};
    for (const [kind, seconds] of byProcess()) cpuMsPerCall[kind] = (seconds * 1000) / calls;
    return { cpuBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total), cpuMsPerCall };
  };
}

/** Runs `call` from `concurrency` loops for `seconds`, counting completions. */
export async function drive(
  concurrency: number,
  seconds: number,
  call: (i: number) => Promise<void>,
  known: KnownPids,
): Promise<RateRow> {
  const latencies: number[] = [];
  const cpu = measureCpu(known);
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        await call(next++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return {
    perSecond: latencies.length / elapsed,
    n: latencies.length,
    latency: summarize(latencies),
    ...cpu(latencies.length),
  };
}
