// The Kafka trigger's rows (BENCH_ONLY=kafka): records per second through a Kafka
// event source mapping to a trivial function, beside kafkajs's own consume rate of the
// same topic measured in the same run (a bare consumer group reading it from the start),
// and publish-to-start latency (the record's timestamp to the handler's first line).
// Against librdkafka's mock cluster (kcat). Written over its own section of docs/BENCHMARKS.md.
import { readFile, writeFile } from "node:fs/promises";
import { CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { Kafka, logLevel } from "kafkajs";
import { startKafkaMock } from "../helpers/kafka.js";
import { startBenchStack } from "./bench-stack.js";
import { ms, type Summary, summarize } from "./stats.js";

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 20_000);
const LATENCY_RECORDS = Number(process.env.BENCH_KAFKA_LATENCY_RECORDS ?? 200);
const PARTITIONS = 4;
const START = "<!-- kafka:start -->";
const END = "<!-- kafka:end -->";
const REPORT = new URL("../../docs/BENCHMARKS.md", import.meta.url);
const HANDLER = `exports.handler = async (e) => {
  const now = Date.now();
  for (const list of Object.values(e.records)) for (const r of list) if (r.key) console.log("LAT " + (now - r.timestamp));
  return {};
};`;

/** Polls `count()` until it reaches `total`; the rate between its first progress and the end. */
async function rate(count: () => Promise<number>, total: number): Promise<{ perSecond: number; seconds: number }> {
  let t0 = 0;
  let n0 = 0;
  for (;;) {
    const n = await count();
    if (n > 0 && t0 === 0) {
      t0 = performance.now();
      n0 = n;
    }
    if (n >= total) {
      const seconds = (performance.now() - t0) / 1000;
      return { perSecond: (total - n0) / seconds, seconds };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const kafka = await startKafkaMock();
  const { stack, fn } = await startBenchStack(HANDLER);
  try {
    const topic = "bench-throughput";
    for (let i = 0; i < RECORDS; i += 1000) {
      await kafka.produce(
        topic,
        Array.from({ length: Math.min(1000, RECORDS - i) }, (_, j) => ({
          partition: (i + j) % PARTITIONS,
          value: { n: i + j },
        })),
      );
    }
    const committedSum = async (group: string) =>
      Object.values(await kafka.committed(group, topic)).reduce((s, o) => s + Math.max(0, o), 0);

    // kafkajs alone: a consumer group reading the topic from the start, committing each batch.
    const client = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
    const bare = client.consumer({ groupId: "bench-bare" });
    await bare.connect();
    await bare.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    await bare.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        await bare.commitOffsets([
          { topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
        ]);
      },
    });
    const baseline = await rate(async () => consumed, RECORDS);
    await bare.disconnect();

    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        Topics: [topic],
        SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: [kafka.bootstrap] } },
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 100,
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "bench-stratus" },
      }),
    );
    const stratus = await rate(() => committedSum("bench-stratus"), RECORDS);

    // Publish-to-start: single keyed records, one every 20 ms, on the caught-up mapping.
    for (let i = 0; i < LATENCY_RECORDS; i++) {
      await kafka.produce(topic, [{ partition: i % PARTITIONS, value: { n: i }, key: `k${i}` }]);
      await new Promise((r) => setTimeout(r, 20));
    }
    const latencies = await (async () => {
      for (;;) {
        const { rows } = await stack.db.query<{ log: string }>(
          "SELECT log FROM invocation_logs WHERE function_name = $1",
          [fn],
        );
        const l = rows.flatMap((r) => [...r.log.matchAll(/LAT (-?\d+)/g)].map((m) => Number(m[1])));
        if (l.length >= LATENCY_RECORDS) return l;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
    const result = { baseline, stratus, latency: summarize(latencies) };
    console.log(
      `kafkajs ${baseline.perSecond.toFixed(0)} records/s; Stratus ${stratus.perSecond.toFixed(0)} records/s; publish-to-start p50 ${ms(result.latency.p50)} ms`,
    );
    const doc = await readFile(REPORT, "utf8");
    const section = render(result);
    const a = doc.indexOf(START);
    const b = doc.indexOf(END);
    await writeFile(
      REPORT,
      a < 0 || b < a ? `${doc.trimEnd()}\n\n${section}\n` : doc.slice(0, a) + section + doc.slice(b + END.length),
    );
  } finally {
    await stack.stop();
    await kafka.close();
  }
}

type Rate = { perSecond: number; seconds: number };

function render(r: { baseline: Rate; stratus: Rate; latency: Summary }): string {
  return `${START}
## Kafka trigger (self-managed Kafka event source mapping)

${RECORDS.toLocaleString("en")} records on ${PARTITIONS} partitions of librdkafka's mock cluster (kcat, one
broker, in memory), read from the start. Stratus: a mapping (BatchSize 100, the default
500 ms batching window) invoking a trivial function (one warm container per partition
batch in flight) and committing after each success. Beside it, in the same run, kafkajs
alone: a bare consumer group reading the same records and committing each batch, with
no function (the client's own ceiling here). Rates from the first commit to the last.

| | records/s | seconds |
| --- | --- | --- |
| kafkajs consumer alone | ${r.baseline.perSecond.toFixed(0)} | ${r.baseline.seconds.toFixed(2)} |
| Stratus mapping → function | ${r.stratus.perSecond.toFixed(0)} | ${r.stratus.seconds.toFixed(2)} |

Publish-to-start latency: ${LATENCY_RECORDS} single records, one every 20 ms, from the
record's timestamp (set by the producer) to the handler's first line (same host clock),
on a mapping already caught up (ms):

| | p50 | p99 | mean | n |
| --- | --- | --- | --- | --- |
| publish → handler start | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.mean)} | ${r.latency.n} |

A member buffers records ahead while the function runs (it fetches on until more than
max(1,000, 4 × BatchSize) records wait), so the figures above are the batching window
(with \`MaximumBatchingWindowInSeconds\` 0 a Kafka mapping waits up to 500 ms for a batch to
fill, Lambda's default), a fetch (kafkajs's fetch wait is bounded to 1 s: the mock cluster
holds a fetch to its maximum wait) and one sync invoke. A partition is still at the function
from one control plane at a time across a rebalance: a member drops what it buffered and
waits for its invocations under way to finish and commit before it rejoins the group
(docs/EVENT-SOURCES.md, "Pollers over several control planes"). From commit 87cb3ee until
fetching ahead came back, a member held each fetch until its records were settled instead:
the mock cluster answers a fetch with one record batch per partition, so one record per
partition went through per window and invoke, and the same rows were 12,513 ms p50 /
24,309 ms p99 and 3,613 records/s beside kafkajs's 21,464.

Run alone with \`BENCH_ONLY=kafka pnpm bench\`; the machine was shared with other builds and tests
when the rows above were measured.
${END}`;
}

// Exits once done: a run that had written its report still had a handle open (kafkajs or
// the broker's client, not found) and held the shared integration lock until killed.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
