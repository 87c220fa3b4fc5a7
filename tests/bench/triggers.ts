// The triggers' rows of the benchmark (firing lag of due schedules), on a stack of
// their own with the product's async timing and Postgres with fsync on. They render a
// section of docs/BENCHMARKS.md of their own (between markers), so `pnpm bench` writes
// it with every other row and `BENCH_ONLY=triggers` re-measures it alone.

import { startStack } from "../helpers/stack.js";
import { type FiringLagResult, measureFiringLag } from "./firing-lag.js";
import { ms, type Summary } from "./stats.js";

export const SECTION_START = "<!-- triggers:start -->";
export const SECTION_END = "<!-- triggers:end -->";
const POLL_MS = 1_000;

export interface TriggersResult {
  firing: FiringLagResult;
}

export async function measureTriggers(): Promise<TriggersResult> {
  const stack = await startStack({}, { productAsyncTiming: true, durablePostgres: true });
  try {
    const firing = await measureFiringLag(stack, POLL_MS);
    console.log(
      `firing lag, ${firing.dueTogether} due together: p50 ${ms(firing.together.p50)} ms, p99 ${ms(firing.together.p99)} ms`,
    );
    return { firing };
  } finally {
    await stack.stop();
  }
}

const row = (label: string, s: Summary) => `| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.mean)} | ${s.n} |`;

export function renderTriggers(t: TriggersResult): string {
  const f = t.firing;
  return `${SECTION_START}
## Schedules: firing lag

Measured on ${new Date().toISOString()} (this section is rewritten alone by
\`BENCH_ONLY=triggers pnpm bench\`). From a tick's scheduled time to the start of its function's invocation (the async
attempt's first start, as Postgres records it), with ${f.dueTogether} EventBridge Scheduler
\`at()\` schedules due at the same second, one control plane polling every ${f.pollMs} ms
(the default \`STRATUS_SCHEDULE_POLL_MS\`), one invoker node, an echo function kept warm.
Floors from the same run: one schedule due at a time (what the poll interval and one
firing cost), and the same number of async events accepted at once through Invoke, from
acceptance to start (what the async path itself takes to start a burst of this size).

| row | p50 (ms) | p99 (ms) | mean (ms) | n |
| --- | ---: | ---: | ---: | ---: |
${row(`${f.dueTogether} schedules due together: scheduled time to start`, f.together)}
${row("one schedule due alone: scheduled time to start (floor)", f.alone)}
${row(`${f.dueTogether} async Invoke events at once: accepted to start (floor)`, f.asyncBurst)}

A due tick waits for the next poll (up to ${f.pollMs} ms, ${f.pollMs / 2} ms on average), is
claimed and written as an async invocation with its schedule's next fire time, then
queued and started like any async event: the lag of ${f.dueTogether} ticks due together
is the alone floor plus the async burst floor, give or take what claiming in batches of
100 adds.
${SECTION_END}`;
}

/** `doc` with its triggers section replaced by `section` (or `section` appended if it has none). */
export function withSection(doc: string, section: string): string {
  const a = doc.indexOf(SECTION_START);
  const b = doc.indexOf(SECTION_END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, a) + section + doc.slice(b + SECTION_END.length);
}
