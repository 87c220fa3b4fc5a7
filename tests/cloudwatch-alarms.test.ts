// CloudWatch metric alarms on a live stack, driven by the AWS CLI and by
// @aws-sdk/client-cloudwatch in each protocol CloudWatch clients speak: alarms put,
// described, tagged, changed and deleted as Terraform's aws_cloudwatch_metric_alarm
// does it; an Errors alarm on a function that fails goes to ALARM after its failing
// invokes and back to OK, invoking an action function with CloudWatch's alarm event
// each time (read back from that function's log); SetAlarmState runs actions and
// DisableAlarmActions stops them; what Stratus does not serve is refused by name.
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  ListTagsForResourceCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { DeleteFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction, storedLog, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

// Alarms due are looked for every half second (the product default is ten).
const stack = useStack({}, { controlPlaneEnv: { STRATUS_ALARM_EVALUATION_MS: "500" } });
const cw = cliCommands(useAwsCli(stack, "stratus-alarms-"), "cloudwatch");

/** Logs each event it gets on one line, for the test to read back. */
const RECORDER = "exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); return {}; };";
const FAILING = "exports.handler = async () => { throw new Error('failing on purpose'); };";

let recorder: string;
let failing: string;

function client(protocol?: "cbor" | "query", credentials = stack.credentials): CloudWatchClient {
  const config: CloudWatchClientConfig = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    maxAttempts: 1,
  };
  if (protocol === "cbor") config.protocol = AwsSmithyRpcV2CborProtocol;
  if (protocol === "query") config.protocol = AwsQueryProtocol;
  return new CloudWatchClient(config);
}

const fnArn = (name: string) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
const alarmArn = (name: string) => `arn:aws:cloudwatch:${stack.region}:${stack.credentials.accountId}:alarm:${name}`;
const deploy = (source: string) =>
  deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": source } });

/** The async invocations of `name`, newest first, as Stratus lists them. */
async function asyncInvocations(name: string): Promise<Array<{ RequestId: string; Status: string }>> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/functions/${name}/async-invocations`,
  );
  return ((await res.json()) as { Invocations: Array<{ RequestId: string; Status: string }> }).Invocations;
}

interface AlarmEvent {
  source: string;
  alarmArn: string;
  accountId: string;
  time: string;
  region: string;
  alarmData: {
    alarmName: string;
    state: { value: string; reason: string; reasonData?: string; timestamp: string };
    previousState: { value: string; reason: string; timestamp: string };
    configuration: { description?: string; metrics: Array<Record<string, unknown>> };
  };
}

/** The events `name` received once `count` of its async invocations succeeded, oldest first. */
async function received(name: string, count: number, timeoutMs = 30_000): Promise<AlarmEvent[]> {
  const done = await waitFor(
    async () => {
      const ok = (await asyncInvocations(name)).filter((i) => i.Status === "succeeded");
      return ok.length >= count ? ok : undefined;
    },
    timeoutMs,
    { what: `${count} alarm actions run by ${name}`, intervalMs: 250 },
  );
  const events = await Promise.all(
    done.map(async (i) => JSON.parse(/EVENT (.*)/.exec(await storedLog(stack, i.RequestId))?.[1] ?? "null")),
  );
  return (events as AlarmEvent[]).sort((a, b) => a.time.localeCompare(b.time));
}

async function describe1(cwc: CloudWatchClient, name: string): Promise<MetricAlarm | undefined> {
  const out = await cwc.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm"] }));
  return out.MetricAlarms?.[0];
}

async function stateOf(cwc: CloudWatchClient, name: string, want: string, timeoutMs: number): Promise<MetricAlarm> {
  return waitFor(
    async () => {
      const a = await describe1(cwc, name);
      return a?.StateValue === want ? a : undefined;
    },
    timeoutMs,
    { what: `alarm ${name} in ${want}`, intervalMs: 250 },
  );
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e,
  );

beforeAll(async () => {
  recorder = await deploy(RECORDER);
  failing = await deploy(FAILING);
});

describe.each([undefined, "cbor", "query"] as const)("the SDK (%s protocol)", (protocol) => {
  let sdk: CloudWatchClient;
  beforeAll(() => {
    sdk = client(protocol);
  });
  afterAll(() => sdk.destroy());

  it("puts, describes, tags, changes and deletes an alarm, as Terraform does", async () => {
    const name = uniqueName(`latency-${protocol ?? "json"}`);
    // Terraform looks first: no alarm of that name.
    expect(await describe1(sdk, name)).toBeUndefined();
    const input: PutMetricAlarmCommandInput = {
      AlarmName: name,
      AlarmDescription: "p99 latency of the checkout",
      ActionsEnabled: true,
      AlarmActions: [fnArn(recorder)],
      MetricName: "Duration",
      Namespace: "AWS/Lambda",
      ExtendedStatistic: "p99",
      Dimensions: [{ Name: "FunctionName", Value: failing }],
      Period: 60,
      Unit: "Milliseconds",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1500.5,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "ignore",
      EvaluateLowSampleCountPercentile: "evaluate",
      Tags: [{ Key: "team", Value: "checkout" }],
    };
    await sdk.send(new PutMetricAlarmCommand(input));
    const made = await describe1(sdk, name);
    expect(made).toMatchObject({
      AlarmName: name,
      AlarmArn: alarmArn(name),
      AlarmDescription: "p99 latency of the checkout",
      ActionsEnabled: true,
      AlarmActions: [fnArn(recorder)],
      OKActions: [],
      InsufficientDataActions: [],
      MetricName: "Duration",
      Namespace: "AWS/Lambda",
      ExtendedStatistic: "p99",
      Dimensions: [{ Name: "FunctionName", Value: failing }],
      Period: 60,
      Unit: "Milliseconds",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1500.5,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "ignore",
      EvaluateLowSampleCountPercentile: "evaluate",
      StateValue: "INSUFFICIENT_DATA",
      StateReason: "Unchecked: Initial alarm creation",
    });
    expect(made?.Statistic).toBeUndefined();
    for (const t of [
      made?.StateUpdatedTimestamp,
      made?.StateTransitionedTimestamp,
      made?.AlarmConfigurationUpdatedTimestamp,
    ]) {
      expect(t).toBeInstanceOf(Date);
      expect(Math.abs((t as Date).getTime() - Date.now())).toBeLessThan(60_000);
    }
    const composite = await sdk.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["CompositeAlarm"] }));
    expect(composite.MetricAlarms).toEqual([]);
    expect(composite.CompositeAlarms).toEqual([]);

    // Tags by the alarm's ARN.
    const arn = made?.AlarmArn as string;
    const tags = async () => (await sdk.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;
    expect(await tags()).toEqual([{ Key: "team", Value: "checkout" }]);
    await sdk.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "env", Value: "prod" }] }));
    await sdk.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["team"] }));
    expect(await tags()).toEqual([{ Key: "env", Value: "prod" }]);

    // Replaced: the configuration changes, its state and tags stay.
    await sdk.send(
      new PutMetricAlarmCommand({ ...input, Threshold: 900, Tags: [{ Key: "ignored", Value: "on update" }] }),
    );
    const changed = await describe1(sdk, name);
    expect(changed).toMatchObject({ Threshold: 900, StateValue: "INSUFFICIENT_DATA" });
    expect(changed?.StateUpdatedTimestamp).toEqual(made?.StateUpdatedTimestamp);
    expect(await tags()).toEqual([{ Key: "env", Value: "prod" }]);

    const forMetric = await sdk.send(
      new DescribeAlarmsForMetricCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Dimensions: [{ Name: "FunctionName", Value: failing }],
        ExtendedStatistic: "p99",
      }),
    );
    expect(forMetric.MetricAlarms?.map((a) => a.AlarmName)).toContain(name);

    const history = await sdk.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: name,
        HistoryItemType: "ConfigurationUpdate",
        ScanBy: "TimestampAscending",
      }),
    );
    expect(history.AlarmHistoryItems?.map((i) => i.HistorySummary)).toEqual([
      `Alarm "${name}" created`,
      `Alarm "${name}" updated`,
    ]);
    const update = JSON.parse(history.AlarmHistoryItems?.[1]?.HistoryData ?? "{}");
    expect(update).toMatchObject({
      type: "Update",
      originalUpdatedAlarm: { threshold: 1500.5 },
      updatedAlarm: { threshold: 900 },
    });
    expect(history.AlarmHistoryItems?.[0]).toMatchObject({ AlarmType: "MetricAlarm", AlarmName: name });
    expect(history.AlarmHistoryItems?.[0]?.Timestamp).toBeInstanceOf(Date);

    // Paged by name; a name of no alarm is passed over on delete.
    const second = `${name}-b`;
    await sdk.send(new PutMetricAlarmCommand({ ...input, AlarmName: second, Tags: undefined }));
    const first = await sdk.send(new DescribeAlarmsCommand({ AlarmNamePrefix: name, MaxRecords: 1 }));
    expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual([name]);
    const next = await sdk.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: name, MaxRecords: 1, NextToken: first.NextToken }),
    );
    expect(next.MetricAlarms?.map((a) => a.AlarmName)).toEqual([second]);
    expect(next.NextToken).toBeUndefined();
    await sdk.send(new DeleteAlarmsCommand({ AlarmNames: [name, second, `${name}-none`] }));
    expect((await sdk.send(new DescribeAlarmsCommand({ AlarmNamePrefix: name }))).MetricAlarms).toEqual([]);
    const gone = await failure(sdk.send(new ListTagsForResourceCommand({ ResourceARN: arn })));
    expect(gone?.name).toBe("ResourceNotFoundException");
    const deleted = await sdk.send(new DescribeAlarmHistoryCommand({ AlarmName: name, MaxRecords: 1 }));
    expect(deleted.AlarmHistoryItems?.[0]?.HistorySummary).toBe(`Alarm "${name}" deleted`);
    expect(deleted.NextToken).toBeDefined();
  });

  it("refuses metric math, another account's SNS topic and a bad period by name, and changes nothing", async () => {
    const name = uniqueName("refused");
    const base: PutMetricAlarmCommandInput = {
      AlarmName: name,
      MetricName: "Errors",
      Namespace: "AWS/Lambda",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    };
    const sns = await failure(
      sdk.send(
        new PutMetricAlarmCommand({
          ...base,
          AlarmActions: [`arn:aws:sns:${stack.region}:999999999999:pager`],
        }),
      ),
    );
    expect(sns?.name).toMatch(/^InvalidParameterValue/);
    expect(sns?.message).toMatch(/another account's topic/);
    const math = await failure(
      sdk.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          Metrics: [{ Id: "e", Expression: "SUM(METRICS())", ReturnData: true }],
        }),
      ),
    );
    expect(math?.message).toMatch(/metric math alarms \(Metrics\) are not supported by Stratus/);
    const period = await failure(sdk.send(new PutMetricAlarmCommand({ ...base, Period: 45 })));
    expect(period?.message).toMatch(/10, 20, 30 or a multiple of 60/);
    expect(await describe1(sdk, name)).toBeUndefined();
  });
});

describe("evaluation and actions", () => {
  it("an Errors alarm goes to ALARM after failing invokes, runs its action with the alarm event, and back to OK", async () => {
    const sdk = client();
    const name = uniqueName("errors");
    await sdk.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        AlarmDescription: "the function fails",
        MetricName: "Errors",
        Namespace: "AWS/Lambda",
        Statistic: "Sum",
        Dimensions: [{ Name: "FunctionName", Value: failing }],
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [fnArn(recorder)],
        OKActions: [fnArn(recorder)],
      }),
    );
    // No data yet, and missing data is not breaching: OK at the first evaluation.
    const ok = await stateOf(sdk, name, "OK", 30_000);
    expect(ok.StateReason).toMatch(/no datapoints were received for 1 period .*\[NonBreaching\]/);
    for (let i = 0; i < 3; i++) {
      const out = await stack.lambda.send(new InvokeCommand({ FunctionName: failing, Payload: Buffer.from("{}") }));
      expect(out.FunctionError).toBe("Unhandled");
    }
    const alarm = await stateOf(sdk, name, "ALARM", 40_000);
    expect(alarm.StateReason).toMatch(
      /^Threshold Crossed: 1 datapoint \[[1-3]\.0 \(.*\)\] was greater than the threshold \(0\.0\)\.$/,
    );
    expect(JSON.parse(alarm.StateReasonData ?? "{}")).toMatchObject({
      version: "1.0",
      statistic: "Sum",
      period: 10,
      threshold: 0,
      recentDatapoints: [expect.any(Number)],
    });
    // Once no failing invoke is left in its evaluation range, missing data is not breaching again.
    await stateOf(sdk, name, "OK", 60_000);

    const events = await received(recorder, 3);
    const ofThis = events.filter((e) => e.alarmData.alarmName === name);
    expect(ofThis.map((e) => [e.alarmData.previousState.value, e.alarmData.state.value])).toEqual([
      ["INSUFFICIENT_DATA", "OK"],
      ["OK", "ALARM"],
      ["ALARM", "OK"],
    ]);
    const fired = ofThis[1] as AlarmEvent;
    expect(fired).toMatchObject({
      source: "aws.cloudwatch",
      alarmArn: alarmArn(name),
      accountId: stack.credentials.accountId,
      region: stack.region,
      alarmData: {
        alarmName: name,
        state: { value: "ALARM", reason: alarm.StateReason, reasonData: alarm.StateReasonData },
        previousState: { value: "OK", reason: ok.StateReason },
        configuration: {
          description: "the function fails",
          metrics: [
            {
              id: expect.any(String),
              metricStat: {
                metric: { namespace: "AWS/Lambda", name: "Errors", dimensions: { FunctionName: failing } },
                period: 10,
                stat: "Sum",
              },
              returnData: true,
            },
          ],
        },
      },
    });
    expect(fired.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(fired.alarmData.state.timestamp).toBe(fired.time);

    const history = await sdk.send(new DescribeAlarmHistoryCommand({ AlarmName: name, ScanBy: "TimestampAscending" }));
    const items = history.AlarmHistoryItems ?? [];
    expect(items.filter((i) => i.HistoryItemType === "StateUpdate").map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from INSUFFICIENT_DATA to OK",
      "Alarm updated from OK to ALARM",
      "Alarm updated from ALARM to OK",
    ]);
    expect(items.filter((i) => i.HistoryItemType === "Action").map((i) => i.HistorySummary)).toEqual(
      Array(3).fill(`Successfully executed action ${fnArn(recorder)}`),
    );
    await sdk.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    sdk.destroy();
  }, 150_000);

  it("runs actions on SetAlarmState, none while actions are disabled, and counts a deleted function's as failed", async () => {
    const target = await deploy(RECORDER);
    const name = uniqueName("manual");
    // No data ever, and missing data ignored: the alarm keeps whatever state it is set to.
    await cw.silent(
      "put-metric-alarm",
      "--alarm-name",
      name,
      "--metric-name",
      "Invocations",
      "--namespace",
      "AWS/Lambda",
      "--dimensions",
      `Name=FunctionName,Value=${uniqueName("never-invoked")}`,
      "--statistic",
      "Sum",
      "--period",
      "60",
      "--evaluation-periods",
      "1",
      "--threshold",
      "1",
      "--comparison-operator",
      "GreaterThanOrEqualToThreshold",
      "--treat-missing-data",
      "ignore",
      "--alarm-actions",
      fnArn(target),
      "--ok-actions",
      fnArn(target),
    );
    const setState = (value: string, reason: string, data?: string) =>
      cw.silent(
        "set-alarm-state",
        "--alarm-name",
        name,
        "--state-value",
        value,
        "--state-reason",
        reason,
        ...(data ? ["--state-reason-data", data] : []),
      );
    await setState("ALARM", "testing", '{"why":"a test"}');
    const described = await cw.json<{ MetricAlarms: MetricAlarm[] }>("describe-alarms", "--alarm-names", name);
    expect(described.MetricAlarms[0]).toMatchObject({
      StateValue: "ALARM",
      StateReason: "testing",
      StateReasonData: '{"why":"a test"}',
    });
    await cw.silent("disable-alarm-actions", "--alarm-names", name);
    await setState("OK", "quiet");
    await cw.silent("enable-alarm-actions", "--alarm-names", name);
    await setState("ALARM", "again");
    const events = await received(target, 2);
    expect(
      events.map((e) => [e.alarmData.state.value, e.alarmData.state.reason, e.alarmData.previousState.value]),
    ).toEqual([
      ["ALARM", "testing", "INSUFFICIENT_DATA"],
      ["ALARM", "again", "OK"],
    ]);
    expect(events[0]?.alarmData.state.reasonData).toBe('{"why":"a test"}');
    // An action is written with its state change: the OK set while disabled wrote none.
    expect(await asyncInvocations(target)).toHaveLength(2);

    const history = await cw.json<{ AlarmHistoryItems: Array<{ HistorySummary: string }> }>(
      "describe-alarm-history",
      "--alarm-name",
      name,
      "--history-item-type",
      "StateUpdate",
    );
    expect(history.AlarmHistoryItems.map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from OK to ALARM",
      "Alarm updated from ALARM to OK",
      "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]);

    // The function deleted since: the action fails, recorded, and nothing is invoked.
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: target }));
    await setState("OK", "after the function went");
    const actions = await cw.json<{ AlarmHistoryItems: Array<{ HistorySummary: string }> }>(
      "describe-alarm-history",
      "--alarm-name",
      name,
      "--history-item-type",
      "Action",
      "--max-records",
      "1",
    );
    expect(actions.AlarmHistoryItems[0]?.HistorySummary).toBe(
      `Failed to execute action ${fnArn(target)}. Received error: "The function does not exist"`,
    );

    expect(
      await cw.failure("set-alarm-state", "--alarm-name", `${name}-none`, "--state-value", "OK", "--state-reason", "x"),
    ).toMatch(/ResourceNotFound/);
    expect(
      await cw.failure(
        "set-alarm-state",
        "--alarm-name",
        name,
        "--state-value",
        "OK",
        "--state-reason",
        "x",
        "--state-reason-data",
        "{nope",
      ),
    ).toMatch(/InvalidFormat/);
    await cw.silent("delete-alarms", "--alarm-names", name);
  }, 90_000);
});

describe("the AWS CLI", () => {
  it("puts, describes, tags and deletes an alarm", async () => {
    const name = uniqueName("cli");
    await cw.silent(
      "put-metric-alarm",
      "--alarm-name",
      name,
      "--alarm-description",
      "throttled",
      "--metric-name",
      "Throttles",
      "--namespace",
      "AWS/Lambda",
      "--dimensions",
      `Name=FunctionName,Value=${failing}`,
      "--statistic",
      "Sum",
      "--period",
      "300",
      "--evaluation-periods",
      "2",
      "--threshold",
      "5",
      "--comparison-operator",
      "GreaterThanThreshold",
      "--no-actions-enabled",
      "--tags",
      "Key=owner,Value=ops",
    );
    const out = await cw.json<{ MetricAlarms: MetricAlarm[]; CompositeAlarms: unknown[] }>(
      "describe-alarms",
      "--alarm-names",
      name,
    );
    expect(out.CompositeAlarms).toEqual([]);
    expect(out.MetricAlarms[0]).toMatchObject({
      AlarmName: name,
      AlarmArn: alarmArn(name),
      AlarmDescription: "throttled",
      ActionsEnabled: false,
      MetricName: "Throttles",
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: 5,
      StateValue: "INSUFFICIENT_DATA",
    });
    expect(
      (await cw.json<{ MetricAlarms: MetricAlarm[] }>("describe-alarms", "--state-value", "ALARM")).MetricAlarms.map(
        (a) => a.AlarmName,
      ),
    ).not.toContain(name);
    expect(await cw.json("list-tags-for-resource", "--resource-arn", alarmArn(name))).toEqual({
      Tags: [{ Key: "owner", Value: "ops" }],
    });
    await cw.silent("tag-resource", "--resource-arn", alarmArn(name), "--tags", "Key=tier,Value=1");
    await cw.silent("untag-resource", "--resource-arn", alarmArn(name), "--tag-keys", "owner");
    expect(await cw.json("list-tags-for-resource", "--resource-arn", alarmArn(name))).toEqual({
      Tags: [{ Key: "tier", Value: "1" }],
    });
    const history = await cw.json<{ AlarmHistoryItems: Array<{ HistoryItemType: string; HistorySummary: string }> }>(
      "describe-alarm-history",
      "--alarm-name",
      name,
    );
    expect(history.AlarmHistoryItems).toContainEqual(
      expect.objectContaining({ HistoryItemType: "ConfigurationUpdate", HistorySummary: `Alarm "${name}" created` }),
    );
    await cw.silent("delete-alarms", "--alarm-names", name);
    expect((await cw.json<{ MetricAlarms: unknown[] }>("describe-alarms", "--alarm-names", name)).MetricAlarms).toEqual(
      [],
    );
  });

  it("refuses what Stratus does not serve, with CloudWatch's error codes", async () => {
    const name = uniqueName("cli-refused");
    const put = (...extra: string[]) =>
      cw.failure(
        "put-metric-alarm",
        "--alarm-name",
        name,
        "--evaluation-periods",
        "1",
        "--threshold",
        "0",
        "--comparison-operator",
        "GreaterThanThreshold",
        ...extra,
      );
    const metric = ["--metric-name", "Errors", "--namespace", "AWS/Lambda", "--statistic", "Sum"];
    expect(
      await put(
        ...metric,
        "--period",
        "60",
        "--alarm-actions",
        `arn:aws:autoscaling:${stack.region}:123456789012:scalingPolicy:x`,
      ),
    ).toMatch(/InvalidParameterValue.*Stratus serves no Auto Scaling/);
    expect(await put(...metric, "--period", "60", "--ok-actions", `arn:aws:automate:${stack.region}:ec2:stop`)).toMatch(
      /InvalidParameterValue.*Stratus serves no EC2/,
    );
    expect(await put(...metric, "--period", "45")).toMatch(/InvalidParameterValue.*10, 20, 30 or a multiple of 60/);
    expect(await put(...metric)).toMatch(/MissingParameter.*Period/);
    expect(
      await put("--metrics", JSON.stringify([{ Id: "m", Expression: "SUM(METRICS())", ReturnData: true }])),
    ).toMatch(/InvalidParameterValue.*Metrics/);
    expect(await put(...metric, "--period", "60", "--threshold-metric-id", "ad1")).toMatch(
      /InvalidParameterValue.*ThresholdMetricId/,
    );
    expect(await put(...metric, "--period", "60", "--evaluation-periods", "2", "--datapoints-to-alarm", "3")).toMatch(
      /InvalidParameterValue.*DatapointsToAlarm/,
    );
    expect((await cw.json<{ MetricAlarms: unknown[] }>("describe-alarms", "--alarm-names", name)).MetricAlarms).toEqual(
      [],
    );
  });
});

describe("IAM", () => {
  it("judges an IAM user's alarm operations by the alarm's ARN", async () => {
    const iam = new IAMClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: stack.credentials,
      maxAttempts: 1,
    });
    const UserName = uniqueName("alarm-user");
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName,
        PolicyName: "team-alarms",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "cloudwatch:DescribeAlarms", Resource: "*" },
            { Effect: "Allow", Action: "cloudwatch:PutMetricAlarm", Resource: alarmArn("team-*") },
          ],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
    const user = client(undefined, {
      accountId: stack.credentials.accountId,
      accessKeyId: key?.AccessKeyId as string,
      secretAccessKey: key?.SecretAccessKey as string,
    });
    const put = (AlarmName: string) =>
      user.send(
        new PutMetricAlarmCommand({
          AlarmName,
          MetricName: "Errors",
          Namespace: "AWS/Lambda",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
        }),
      );
    const own = uniqueName("team");
    // A new key is known to every control plane at once; its policy too.
    await waitFor(async () => ((await failure(put(own))) === undefined ? true : undefined), 10_000, {
      what: "the user's first alarm",
    });
    expect((await failure(put(uniqueName("other"))))?.name).toMatch(/AccessDenied/);
    expect((await failure(user.send(new DeleteAlarmsCommand({ AlarmNames: [own] }))))?.name).toMatch(/AccessDenied/);
    expect((await user.send(new DescribeAlarmsCommand({ AlarmNames: [own] }))).MetricAlarms).toHaveLength(1);
    await client().send(new DeleteAlarmsCommand({ AlarmNames: [own] }));
    user.destroy();
    iam.destroy();
  });
});

describe("SetAlarmState through the SDK", () => {
  it("refuses an unknown state by name", async () => {
    const sdk = client("cbor");
    const err = await failure(
      sdk.send(new SetAlarmStateCommand({ AlarmName: "x", StateValue: "BROKEN" as "OK", StateReason: "r" })),
    );
    expect(err?.message).toMatch(/StateValue must be one of OK, ALARM, INSUFFICIENT_DATA/);
    sdk.destroy();
  });
});
