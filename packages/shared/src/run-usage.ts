// What one run attempt of a function used, as the invoker measured it and the control
// plane meters it (invocation_usage): how it ended, its duration and init time, the
// billed milliseconds (Lambda's rule: duration plus init, rounded up to 1 ms) and
// memory size. It travels on the internal invoke protocol as one compact header
// (internalInvoke.usageHeader, or a trailer of a streamed answer): a process that
// predates it sends or reads none, and the other side carries on without.

/** How a run ended; the invoker's outcomes, and platform_error (the control plane's: a node failed the call). */
export const RUN_OUTCOMES = [
  "success",
  "function_error",
  "timeout",
  "oom",
  "crash",
  "init_error",
  "platform_error",
] as const;

export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface RunUsage {
  outcome: RunOutcome;
  /** From handing the event over to the end of the run. */
  durationMs: number;
  /** A cold start's init (Init Duration); 0 when warm. */
  initMs: number;
  /** ceil(durationMs + initMs), at least 1: Lambda bills init since August 2025. */
  billedMs: number;
  memoryMb: number;
  cold: boolean;
}

/** Billed milliseconds of a run: its duration and init, rounded up to 1 ms (at least 1). */
export function billedMs(durationMs: number, initMs = 0): number {
  // Rounded to a microsecond first, so a sum such as 100.1 + 0.2 does not bill 101.
  const exact = Math.round((durationMs + initMs) * 1000) / 1000;
  return Math.max(1, Math.ceil(exact));
}

/** GB-seconds of `billed` ms at `memoryMb` (Lambda: memory in GB, 1024 MB each, times seconds). */
export function gbSeconds(memoryMb: number, billed: number): number {
  return (memoryMb / 1024) * (billed / 1000);
}

const ms = (n: number) => String(Math.round(n * 1000) / 1000);

/** The header's value: `o=success;d=12.345;i=0;b=13;m=128;c=0`. */
export function formatRunUsage(u: RunUsage): string {
  return `o=${u.outcome};d=${ms(u.durationMs)};i=${ms(u.initMs)};b=${u.billedMs};m=${u.memoryMb};c=${u.cold ? 1 : 0}`;
}

const OUTCOMES = new Set<string>(RUN_OUTCOMES);

/** The header's value read back; undefined when absent or malformed (then nothing is known of the run). */
export function parseRunUsage(value: string | string[] | undefined): RunUsage | undefined {
  if (typeof value !== "string") return undefined;
  const f = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) f.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const outcome = f.get("o") ?? "";
  const [d, i, b, m] = ["d", "i", "b", "m"].map((k) => Number(f.get(k) ?? Number.NaN)) as [
    number,
    number,
    number,
    number,
  ];
  const finite = [d, i, b, m].every((n) => Number.isFinite(n) && n >= 0);
  if (!OUTCOMES.has(outcome) || !finite || !Number.isInteger(b) || !Number.isInteger(m)) return undefined;
  return {
    outcome: outcome as RunOutcome,
    durationMs: d,
    initMs: i,
    billedMs: b,
    memoryMb: m,
    cold: f.get("c") === "1",
  };
}
