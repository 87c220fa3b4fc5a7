// The workflows' rows (BENCH_ONLY=workflows): the added latency of a three-task Step
// Functions sequence over three direct sync Invokes of the same warm function, in the
// same run, and state transitions per second over many executions at once. Written
// over its own section of docs/BENCHMARKS.md.
import { InvokeCommand } from "@aws-sdk/client-lambda";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { startBenchStack } from "./bench-stack.js";
import { writeReportSection } from "./report-section.js";
import { ms, type Summary, summarize } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_WORKFLOW_ROUNDS ?? 30);
const EXECUTIONS = Number(process.env.BENCH_WORKFLOW_EXECUTIONS ?? 100);
const PASS_STATES = 20;
const START = "<!-- workflows:start -->";
const END = "<!-- workflows:end -->";
const ROLE = "arn:aws:iam::123456789012:role/bench";

async function main() {
  const { stack, fn } = await startBenchStack("exports.handler = async (e) => e;", { durablePostgres: true });
  const sfn = new SFNClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
  try {
    const arn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${fn}`;
    const task = (next?: string) => ({ Type: "Task", Resource: arn, ...(next ? { Next: next } : { End: true }) });
    const seq = await sfn.send(
      new CreateStateMachineCommand({
        name: "bench-three",
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: "A", States: { A: task("B"), B: task("C"), C: task() } }),
      }),
    );
    const direct: number[] = [];
    const flow: number[] = [];
    for (let r = -3; r < ROUNDS; r++) {
      let t = performance.now();
      for (let i = 0; i < 3; i++) await stack.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: '{"x":1}' }));
      if (r >= 0) direct.push(performance.now() - t);
      t = performance.now();
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: seq.stateMachineArn, input: '{"x":1}' }),
      );
      for (;;) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status === "SUCCEEDED") break;
        if (d.status !== "RUNNING") throw new Error(`bench execution ${d.status}`);
        await new Promise((res) => setTimeout(res, 5));
      }
      if (r >= 0) flow.push(performance.now() - t);
    }
    const states: Record<string, unknown> = {};
    for (let i = 0; i < PASS_STATES; i++)
      states[`P${i}`] = { Type: "Pass", ...(i + 1 < PASS_STATES ? { Next: `P${i + 1}` } : { End: true }) };
    const passes = await sfn.send(
      new CreateStateMachineCommand({
        name: "bench-passes",
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: "P0", States: states }),
      }),
    );
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: EXECUTIONS }, () =>
        sfn.send(new StartExecutionCommand({ stateMachineArn: passes.stateMachineArn })),
      ),
    );
    for (;;) {
      const running = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: passes.stateMachineArn, statusFilter: "RUNNING", maxResults: 1 }),
      );
      if ((running.executions ?? []).length === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    // Each Pass state is one transition (entered and exited in one step).
    const perSecond = (EXECUTIONS * PASS_STATES) / seconds;
    const result = { direct: summarize(direct), flow: summarize(flow), perSecond, seconds };
    console.log(
      `three invokes p50 ${ms(result.direct.p50)} ms; three-task workflow p50 ${ms(result.flow.p50)} ms; ${perSecond.toFixed(0)} transitions/s`,
    );
    await writeReportSection(START, END, render(result));
  } finally {
    sfn.destroy();
    await stack.stop();
  }
}

const row = (label: string, s: Summary) => `| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.mean)} | ${s.n} |`;

function render(r: { direct: Summary; flow: Summary; perSecond: number; seconds: number }): string {
  return `${START}
## Workflows (Step Functions)

A three-task sequence (three Lambda tasks of one warm function) from StartExecution to
DescribeExecution reporting SUCCEEDED (polled every 5 ms), beside three sequential
direct sync Invokes of the same function, in the same run (ms):

| | p50 | p99 | mean | n |
| --- | --- | --- | --- | --- |
${row("3 direct Invokes", r.direct)}
${row("3-task workflow", r.flow)}

Added by the workflow at p50: ${ms(r.flow.p50 - r.direct.p50)} ms (each task goes through the durable
async path: an accept in Postgres, the queue, the call, the outcome appended by
compare-and-set, the driver's next decision).

State transitions: ${EXECUTIONS} executions of ${PASS_STATES} Pass states started at once ran
${(EXECUTIONS * PASS_STATES).toLocaleString("en")} transitions in ${r.seconds.toFixed(2)} s: **${r.perSecond.toFixed(0)} transitions/s** (one control plane;
the engine runs a chain of Pass states in one decision, so this is mostly the cost of
starting an execution and of one read, decide and compare-and-set append each).

Run alone with \`BENCH_ONLY=workflows pnpm bench\`.
${END}`;
}

// Exits once done: a run that had written its report still had a handle open after the
// stack was stopped (as the RabbitMQ and Kafka benches did) and held the integration lock.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
