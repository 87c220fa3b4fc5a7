// The RabbitMQ trigger's rows (BENCH_ONLY=rabbitmq): messages per second through a
// RabbitMQ event source mapping to a trivial function, beside amqplib's own consume rate
// of the same number of messages measured in the same run (a bare consumer, prefetch =
// the batch size, acking each message), and publish-to-start latency (the publish time
// stamped in the message to the handler's first line). Against Debian's rabbitmq-server
// on loopback. Written over its own section of docs/BENCHMARKS.md.
import { readFile } from "node:fs/promises";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import amqp from "amqplib";
import { until } from "../helpers/poll.js";
import { startRabbitMq } from "../helpers/rabbitmq.js";
import { signedFetch } from "../helpers/signed-fetch.js";
import type { Credentials } from "../helpers/stack.js";
import { startBenchStack } from "./bench-stack.js";
import { writeReportSection } from "./report-section.js";
import { ms, type Summary, summarize } from "./stats.js";

const MESSAGES = Number(process.env.BENCH_RMQ_MESSAGES ?? 20_000);
const LATENCY_MESSAGES = Number(process.env.BENCH_RMQ_LATENCY_MESSAGES ?? 200);
const BATCH = 100;
const START = "<!-- rabbitmq:start -->";
const END = "<!-- rabbitmq:end -->";
// One "GOT n" line per invocation; "LAT ms" for each message stamped with its publish time.
const HANDLER = `exports.handler = async (e) => {
  const now = Date.now();
  const [messages] = Object.values(e.rmqMessagesByQueue);
  for (const m of messages) {
    const b = JSON.parse(Buffer.from(m.data, "base64").toString());
    if (b.t) console.log("LAT " + (now - b.t));
  }
  console.log("GOT " + messages.length);
  return {};
};`;

type Rate = { perSecond: number; seconds: number };

/** Polls `count()` until it reaches `total`; the rate between its first progress and the end. */
async function rate(count: () => Promise<number>, total: number): Promise<Rate> {
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

async function fill(url: string, queue: string, count: number): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  for (let i = 0; i < count; i += 1000) {
    for (let j = i; j < Math.min(count, i + 1000); j++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ n: j })));
    await ch.waitForConfirms();
  }
  await conn.close();
}

async function main() {
  const rmq = await startRabbitMq();
  const { stack, fn } = await startBenchStack(HANDLER);
  const amqpUrl = `amqp://guest:guest@127.0.0.1:${rmq.port}`;
  const c = stack.credentials;
  const sm = new SecretsManagerClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
  });
  try {
    const admin = JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
    const { rows } = await stack.db.query<{ name: string }>("SELECT name FROM accounts WHERE id = $1", [c.accountId]);
    const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/brokers", {
      method: "POST",
      body: JSON.stringify({ Account: rows[0]?.name, Name: "bench", Url: rmq.url }),
    });
    if (res.status !== 201) throw new Error(`registering the broker: ${res.status} ${await res.text()}`);
    const brokerArn = ((await res.json()) as { BrokerArn: string }).BrokerArn;
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: "bench-mq",
        SecretString: JSON.stringify({ username: "guest", password: "guest" }),
      }),
    );

    // amqplib alone: a consumer of its own queue, prefetch = the batch size, acking each message.
    await fill(amqpUrl, "bench-bare", MESSAGES);
    const conn = await amqp.connect(amqpUrl);
    const ch = await conn.createChannel();
    await ch.prefetch(BATCH);
    let consumed = 0;
    await ch.consume("bench-bare", (m) => {
      if (!m) return;
      ch.ack(m);
      consumed++;
    });
    const baseline = await rate(async () => consumed, MESSAGES);
    await conn.close();

    // Stratus: the same number of messages waiting in the mapping's queue, then the mapping.
    const queue = "bench-stratus";
    await fill(amqpUrl, queue, MESSAGES);
    const done = async () => {
      const r = await stack.db.query<{ n: string | null }>(
        "SELECT sum((regexp_match(log, 'GOT (\\d+)'))[1]::int) AS n FROM invocation_logs WHERE function_name = $1",
        [fn],
      );
      return Number(r.rows[0]?.n ?? 0);
    };
    const made = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: fn,
        EventSourceArn: brokerArn,
        Queues: [queue],
        SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: secret.ARN }],
        BatchSize: BATCH,
      }),
    );
    const stratus = await rate(done, MESSAGES);
    await until(
      "mapping enabled",
      async () => (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: made.UUID }))).State === "Enabled",
      20_000,
    );

    // Publish-to-start: single messages stamped with their publish time, one every 20 ms,
    // on the caught-up mapping.
    const pub = await amqp.connect(amqpUrl);
    const pch = await pub.createConfirmChannel();
    for (let i = 0; i < LATENCY_MESSAGES; i++) {
      pch.sendToQueue(queue, Buffer.from(JSON.stringify({ n: i, t: Date.now() })));
      await new Promise((r) => setTimeout(r, 20));
    }
    await pch.waitForConfirms();
    await pub.close();
    const latencies = await (async () => {
      for (;;) {
        const { rows } = await stack.db.query<{ log: string }>(
          "SELECT log FROM invocation_logs WHERE function_name = $1",
          [fn],
        );
        const l = rows.flatMap((r) => [...r.log.matchAll(/LAT (-?\d+)/g)].map((m) => Number(m[1])));
        if (l.length >= LATENCY_MESSAGES) return l;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: made.UUID }));
    const result = { baseline, stratus, latency: summarize(latencies) };
    console.log(
      `amqplib ${baseline.perSecond.toFixed(0)} messages/s; Stratus ${stratus.perSecond.toFixed(0)} messages/s; publish-to-start p50 ${ms(result.latency.p50)} ms p99 ${ms(result.latency.p99)} ms`,
    );
    await writeReportSection(START, END, render(result));
  } finally {
    sm.destroy();
    await stack.stop();
    await rmq.close();
  }
}

function render(r: { baseline: Rate; stratus: Rate; latency: Summary }): string {
  return `${START}
## RabbitMQ trigger (Amazon MQ for RabbitMQ event source mapping)

${MESSAGES.toLocaleString("en")} messages waiting in one durable queue of Debian's rabbitmq-server on
loopback. Stratus: a mapping (BatchSize ${BATCH}, so prefetch ${BATCH}, the default 500 ms batching
window) invoking a trivial function and acking each batch after its success; counted
from the function's own invocation records. Beside it, in the same run, amqplib alone:
a bare consumer of another queue holding the same number of messages, prefetch ${BATCH},
acking each message, with no function (the broker's own consume rate here). Rates from
the first message done to the last.

| | messages/s | seconds |
| --- | --- | --- |
| amqplib consumer alone | ${r.baseline.perSecond.toFixed(0)} | ${r.baseline.seconds.toFixed(2)} |
| Stratus mapping → function | ${r.stratus.perSecond.toFixed(0)} | ${r.stratus.seconds.toFixed(2)} |

Publish-to-start latency: ${LATENCY_MESSAGES} single messages, one every 20 ms, from the publish
time stamped in the message body to the handler's first line (same host clock), on a
mapping already caught up (ms):

| | p50 | p99 | mean | n |
| --- | --- | --- | --- | --- |
| publish → handler start | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.mean)} | ${r.latency.n} |

Where the time goes: the mapping has one channel whose prefetch is the batch size, so
one batch is in flight at a time; each waits for its sync invoke (control plane →
invoker → warm container → back) and its ack before the broker hands out the next, so
the rate is one batch per round trip (about ${((BATCH * 1000) / r.stratus.perSecond).toFixed(0)} ms per ${BATCH} here) rather than the
broker's own pace. The latency is the batching window: a lone message waits up to the
default 500 ms for its batch to fill, so p50 sits near half the window and p99 near all
of it; \`MaximumBatchingWindowInSeconds\` trades it against batch size.

Run alone with \`BENCH_ONLY=rabbitmq pnpm bench\`.
${END}`;
}

// Exits once done: a run that printed its rows and wrote the report still had a handle
// open after the stack and the broker were stopped (not found), and held the shared
// integration lock until killed.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
