// Step Functions state machines as EventBridge and Scheduler targets: a matched event
// (the SDK) and a schedule's tick (the AWS CLI) each start one execution of the
// target machine with the event or the tick's input; PutTargets refuses a machine
// that is not there and, as EventBridge, a state machine target without a RoleArn.
import {
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
const aws = useAwsCli(stack, "stratus-sfn-targets-");
const scheduler = cliCommands(aws, "scheduler");
const ROLE = "arn:aws:iam::123456789012:role/targets";
let events: EventBridgeClient;
let sfn: SFNClient;

beforeAll(() => {
  const opts = { endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials, maxAttempts: 1 };
  events = new EventBridgeClient(opts);
  sfn = new SFNClient(opts);
});
afterAll(() => {
  events?.destroy();
  sfn?.destroy();
});

/** A machine that succeeds with its input, tagged by a Pass state. */
async function machine(): Promise<string> {
  const made = await sfn.send(
    new CreateStateMachineCommand({
      name: uniqueName("target"),
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: "Seen",
        States: { Seen: { Type: "Pass", Result: true, ResultPath: "$.seen", End: true } },
      }),
    }),
  );
  return made.stateMachineArn as string;
}

/** The machine's one execution once it has ended. */
const onlyExecution = (stateMachineArn: string) =>
  waitFor(
    async () => {
      const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      const e = list.executions?.[0];
      if (!e || e.status === "RUNNING") return undefined;
      expect(list.executions).toHaveLength(1);
      return sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    },
    30_000,
    { what: `an execution of ${stateMachineArn}` },
  );

describe("state machines as targets", () => {
  it("an event a rule matches starts one execution with the event as its input (SDK)", async () => {
    const arn = await machine();
    const rule = uniqueName("to-sfn");
    const source = `sfn.${uniqueName("s")}`;
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify({ source: [source] }) }));
    const refused = await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          { Id: "no-role", Arn: arn },
          { Id: "missing", Arn: `${arn}-missing`, RoleArn: ROLE },
        ],
      }),
    );
    expect(refused.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode])).toEqual([
      ["no-role", "ValidationException"],
      ["missing", "ValidationException"],
    ]);
    expect(refused.FailedEntries?.[0]?.ErrorMessage).toMatch(/RoleArn is required/);
    expect(refused.FailedEntries?.[1]?.ErrorMessage).toMatch(/does not exist/);
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: "m", Arn: arn, RoleArn: ROLE }] }));
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets).toEqual([
      { Id: "m", Arn: arn, RoleArn: ROLE },
    ]);
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: source, DetailType: "Order", Detail: '{"n":3}' }] }),
    );
    const done = await onlyExecution(arn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.input as string)).toMatchObject({
      id: put.Entries?.[0]?.EventId,
      source,
      detail: { n: 3 },
    });
    expect(JSON.parse(done.output as string)).toMatchObject({ source, seen: true });
  });

  it("a schedule's tick starts one execution with its input (CLI)", async () => {
    const arn = await machine();
    const at = `at(${new Date(Date.now() + 2_000).toISOString().slice(0, 19)})`;
    const target = { Arn: arn, RoleArn: ROLE, Input: '{"tick":"<aws.scheduler.scheduled-time>"}' };
    await scheduler.json(
      ...["create-schedule", "--name", uniqueName("to-sfn"), "--schedule-expression", at],
      ...["--flexible-time-window", '{"Mode":"OFF"}', "--target", JSON.stringify(target)],
    );
    const done = await onlyExecution(arn);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.input as string)).toEqual({ tick: `${at.slice(3, -1)}Z` });
    expect(
      await scheduler.failure(
        ...["create-schedule", "--name", uniqueName("bad"), "--schedule-expression", "rate(1 hour)"],
        ...["--flexible-time-window", '{"Mode":"OFF"}', "--target", JSON.stringify({ ...target, Arn: `${arn}-x` })],
      ),
    ).toMatch(/\(ValidationException\).*state machine .* does not exist/);
  });
});
