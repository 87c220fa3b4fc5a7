// The triggers' rows of the benchmark (function URLs beside Invoke, firing lag of due
// schedules, SNS fan-out beside Invoke Event and SendMessage), on a stack of their own with the product's async timing and Postgres
// with fsync on. They render a section of docs/BENCHMARKS.md of their own (between
// markers), so `pnpm bench` writes it with every other row and `BENCH_ONLY=triggers`
// re-measures it alone.
import { startStack } from "../helpers/stack.js";
import type { RateRow } from "./drive.js";
import { type FiringLagResult, measureFiringLag } from "./firing-lag.js";
import { measureSns, type SnsBenchResult } from "./sns-bench.js";
import { ms, type Summary } from "./stats.js";
import { measureFunctionUrls, type UrlBenchResult } from "./url-bench.js";

export const SECTION_START = "<!-- triggers:start -->";
export const SECTION_END = "<!-- triggers:end -->";
const POLL_MS = 1_000;

export interface TriggersResult {
  urls: UrlBenchResult;
  firing: FiringLagResult;
  sns: SnsBenchResult;
}

export async function measureTriggers(): Promise<TriggersResult> {
  const stack = await startStack({}, { productAsyncTiming: true, durablePostgres: true });
  try {
    const urls = await measureFunctionUrls(stack);
    console.log(
      `function URL: p50 ${ms(urls.url.p50)} ms (Invoke ${ms(urls.invoke.p50)}), ${urls.urlRate.perSecond.toFixed(0)}/s (Invoke ${urls.invokeRate.perSecond.toFixed(0)}/s)`,
    );
    const firing = await measureFiringLag(stack, POLL_MS);
    console.log(
      `firing lag, ${firing.dueTogether} due together: p50 ${ms(firing.together.p50)} ms, p99 ${ms(firing.together.p99)} ms`,
    );
    const sns = await measureSns(stack);
    console.log(
      `SNS: publish to start p50 ${ms(sns.publishToStart.p50)} ms (Invoke Event ${ms(sns.invokeToStart.p50)}), to a queue ${ms(sns.publishToQueue.p50)} ms (SendMessage ${ms(sns.sendToQueue.p50)})`,
    );
    return { urls, firing, sns };
  } finally {
    await stack.stop();
  }
}

const row = (label: string, s: Summary) => `| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.mean)} | ${s.n} |`;

const rate = (label: string, r: RateRow) =>
  `| ${label} | ${r.perSecond.toFixed(0)} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${r.n} | ${(r.cpuBusy * 100).toFixed(0)}% |`;

const signed = (x: number) => `${x >= 0 ? "+" : ""}${ms(x)}`;

function renderUrls(u: UrlBenchResult): string {
  return `## Function URLs

Plain HTTP requests (undici, keep-alive, no signing) to a function's URL, \`AuthType\`
\`NONE\` granted to anyone, beside a signed Invoke (signed just before it is sent) of
the same function in the same run. The function answers a small structured response
(\`statusCode\`, a header, \`"ok"\`), which the URL maps to HTTP and Invoke returns as
JSON. One call at a time, each to a container parked on \`/next\` (interleaved
rounds):

| path | p50 (ms) | p99 (ms) | mean (ms) | n |
| --- | ---: | ---: | ---: | ---: |
${row("function URL", u.url)}
${row("Invoke of the same function (baseline)", u.invoke)}

The URL's p50 is **${signed(u.url.p50 - u.invoke.p50)} ms** and its p99 **${signed(u.url.p99 - u.invoke.p99)} ms** beside Invoke's
(the URL's own work, the 2.0 event built from the request, the resource policy read
and the answer mapped back to HTTP, against Invoke's SigV4 check of the request).

From ${u.concurrency} loops at once for ${u.seconds} s each (client, control plane and invoker in this one
process, so the CPU column is the whole machine's):

| path | requests/s | p50 (ms) | p99 (ms) | n | machine CPU busy |
| --- | ---: | ---: | ---: | ---: | ---: |
${rate("function URL", u.urlRate)}
${rate("Invoke of the same function (baseline)", u.invokeRate)}

Function URLs serve **${(u.urlRate.perSecond / u.invokeRate.perSecond).toFixed(2)}×** the requests per second of Invoke on the same
function and node.`;
}

export function renderTriggers(t: TriggersResult): string {
  const f = t.firing;
  return `${SECTION_START}
Triggers' rows, measured on ${new Date().toISOString()} (this section is rewritten
alone by \`BENCH_ONLY=triggers pnpm bench\`).

${renderUrls(t.urls)}

## Schedules: firing lag

From a tick's scheduled time to the start of its function's invocation (the async
attempt's first start, as Postgres records it), with ${f.dueTogether} EventBridge Scheduler
\`at()\` schedules due at the same second, one control plane polling every ${f.pollMs} ms
(the default \`STRATUS_SCHEDULE_POLL_MS\`), one invoker node, an echo function kept warm.
Beside it, from the same run: one schedule due at a time (the floor: where the poll
falls within the second, up to its interval, and one firing), and the same number of
async events sent at once through Invoke, from acceptance to start (the baseline: the
async path under a burst of this size).

| row | p50 (ms) | p99 (ms) | mean (ms) | n |
| --- | ---: | ---: | ---: | ---: |
${row(`${f.dueTogether} schedules due together: scheduled time to start`, f.together)}
${row("one schedule due alone: scheduled time to start (floor)", f.alone)}
${row(`${f.dueTogether} async Invoke events sent at once: accepted to start (baseline)`, f.asyncBurst)}

A due tick waits for the next poll (up to ${f.pollMs} ms), is claimed (100 schedules per
statement) and written as an async invocation in the transaction that moves its
schedule on, then queued and started like any async event, as one tick alone does
within the floor above. ${f.dueTogether} ticks due at the same second are all written within
a few polls, and what remains is the async path starting ${f.dueTogether} invocations on one
node, up to 64 at a time (the async worker's default concurrency): their starts spread over
${(f.togetherSpreadMs / 1000).toFixed(1)} s, which is the p99. The baseline sends the same number of events through
Invoke (64 in flight); in this single-process stack their acceptance alone took
${(f.burstAcceptMs / 1000).toFixed(1)} s, so they queue behind each other as they arrive, and their starts
spread over ${(f.burstSpreadMs / 1000).toFixed(1)} s.

${renderSns(t.sns)}
${SECTION_END}`;
}

function renderSns(s: SnsBenchResult): string {
  return `## SNS fan-out

A Publish to a topic with one Lambda subscription, from the client's send to the start
of the function's invocation (the async attempt's first start, as Postgres records
it, to the millisecond), beside an Invoke with \`InvocationType\` \`Event\` of the same function (the async
path alone); and a Publish to a topic with one raw SQS subscription, from the send to
the message's arrival at a long poll already waiting on the queue, beside a
SendMessage to the same queue. One call at a time, the sides interleaved, the function
kept warm:

| path | p50 (ms) | p99 (ms) | mean (ms) | n |
| --- | ---: | ---: | ---: | ---: |
${row("Publish → the subscribed function starts", s.publishToStart)}
${row("Invoke (Event) → the function starts (baseline)", s.invokeToStart)}
${row("Publish → the subscribed queue's long poll has it", s.publishToQueue)}
${row("SendMessage → the queue's long poll has it (baseline)", s.sendToQueue)}

A Publish reads the topic's subscriptions and the function's permission and event-invoke
configuration before it commits the invocation, which then goes the async path's way:
**${signed(s.publishToStart.p50 - s.invokeToStart.p50)} ms** at p50 beside Invoke. To a queue it commits
the message in SQS's own table, which wakes the long poll as a SendMessage does:
**${signed(s.publishToQueue.p50 - s.sendToQueue.p50)} ms** at p50 beside SendMessage.`;
}

/** `doc` with its triggers section replaced by `section` (or `section` appended if it has none). */
export function withSection(doc: string, section: string): string {
  const a = doc.indexOf(SECTION_START);
  const b = doc.indexOf(SECTION_END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, a) + section + doc.slice(b + SECTION_END.length);
}
