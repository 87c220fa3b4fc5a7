// CloudWatch Logs' stream writes: a stream made with CreateLogStream shows no times
// until PutLogEvents writes to it; events read back by GetLogEvents and
// FilterLogEvents; CloudWatch's refusals and rejections (the AWS CLI); and a user's
// key holding AWSLambdaBasicExecutionRole may create streams and put events, but not
// delete them (the SDK).
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { errorName } from "./helpers/iam.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const aws = useAwsCli(stack, "stratus-log-streams-");
const { json: logs, silent, failure } = cliCommands(aws, "logs");
let iam: IAMClient;

beforeAll(() => {
  iam = new IAMClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
});
afterAll(() => iam?.destroy());

type Stream = { logStreamName: string } & Record<string, unknown>;

describe("log streams through the AWS CLI", () => {
  it("creates a stream, puts events in order, reads them back, rejects what CloudWatch rejects, deletes it", async () => {
    const group = `/app/${uniqueName("g")}`;
    await silent("create-log-group", "--log-group-name", group);
    await silent("create-log-stream", "--log-group-name", group, "--log-stream-name", "worker-1");
    const empty = await logs<{ logStreams: Stream[] }>("describe-log-streams", "--log-group-name", group);
    expect(empty.logStreams).toEqual([
      {
        logStreamName: "worker-1",
        creationTime: expect.any(Number),
        arn: `arn:aws:logs:${stack.region}:${stack.credentials.accountId}:log-group:${group}:log-stream:worker-1`,
        storedBytes: 0,
      },
    ]);
    expect(await failure("create-log-stream", "--log-group-name", group, "--log-stream-name", "worker-1")).toMatch(
      /\(ResourceAlreadyExistsException\)/,
    );
    expect(await failure("create-log-stream", "--log-group-name", `${group}-none`, "--log-stream-name", "w")).toMatch(
      /\(ResourceNotFoundException\).*log group does not exist/,
    );
    expect(await failure("create-log-stream", "--log-group-name", group, "--log-stream-name", "a:b")).toMatch(
      /\(InvalidParameterException\)/,
    );

    const now = Date.now();
    const events = [
      { timestamp: now - 1000, message: "starting" },
      { timestamp: now, message: "ready to serve" },
    ];
    // All taken: the CLI prints nothing for an answer without rejections.
    await silent(
      ...["put-log-events", "--log-group-name", group, "--log-stream-name", "worker-1"],
      ...["--log-events", JSON.stringify(events)],
    );
    const read = await logs<{ events: Array<{ message: string; timestamp: number }> }>(
      ...["get-log-events", "--log-group-name", group, "--log-stream-name", "worker-1", "--start-from-head"],
    );
    expect(read.events.map((e) => [e.timestamp, e.message])).toEqual(events.map((e) => [e.timestamp, e.message]));
    const found = await logs<{ events: Array<{ message: string }> }>(
      ...["filter-log-events", "--log-group-name", group, "--filter-pattern", "ready"],
    );
    expect(found.events.map((e) => e.message)).toEqual(["ready to serve"]);
    const written = await logs<{ logStreams: Stream[] }>("describe-log-streams", "--log-group-name", group);
    expect(written.logStreams[0]).toMatchObject({ firstEventTimestamp: now - 1000, lastEventTimestamp: now });

    // Too old (15 days) and too new (3 hours ahead) are rejected by index; the rest is stored.
    const mixed = [
      { timestamp: now - 15 * 86_400_000, message: "ancient" },
      { timestamp: now + 1, message: "kept" },
      { timestamp: now + 3 * 3_600_000, message: "future" },
    ];
    await expect(
      logs(
        ...["put-log-events", "--log-group-name", group, "--log-stream-name", "worker-1"],
        ...["--log-events", JSON.stringify(mixed.slice(1))],
      ),
    ).resolves.toEqual({ rejectedLogEventsInfo: { tooNewLogEventStartIndex: 1 } });
    await expect(
      logs(
        ...["put-log-events", "--log-group-name", group, "--log-stream-name", "worker-1"],
        ...["--log-events", JSON.stringify(mixed.slice(0, 1))],
      ),
    ).resolves.toEqual({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 0 } });
    // A batch spanning more than 24 hours, or out of order, is refused whole.
    expect(
      await failure(
        ...["put-log-events", "--log-group-name", group, "--log-stream-name", "worker-1"],
        ...["--log-events", JSON.stringify(mixed)],
      ),
    ).toMatch(/\(InvalidParameterException\).*24 hours/);
    expect(
      await failure(
        ...["put-log-events", "--log-group-name", group, "--log-stream-name", "worker-1"],
        ...["--log-events", JSON.stringify([...events].reverse())],
      ),
    ).toMatch(/\(InvalidParameterException\).*chronological order/);
    expect(
      await failure(
        ...["put-log-events", "--log-group-name", group, "--log-stream-name", "nobody"],
        ...["--log-events", JSON.stringify(events)],
      ),
    ).toMatch(/\(ResourceNotFoundException\).*log stream does not exist/);
    const after = await logs<{ events: Array<{ message: string }> }>(
      ...["get-log-events", "--log-group-name", group, "--log-stream-name", "worker-1", "--start-from-head"],
    );
    expect(after.events.map((e) => e.message)).toEqual(["starting", "ready to serve", "kept"]);

    await silent("delete-log-stream", "--log-group-name", group, "--log-stream-name", "worker-1");
    expect(await logs("describe-log-streams", "--log-group-name", group)).toEqual({ logStreams: [] });
    expect(await failure("delete-log-stream", "--log-group-name", group, "--log-stream-name", "worker-1")).toMatch(
      /\(ResourceNotFoundException\)/,
    );
    expect(await logs<{ events: unknown[] }>("filter-log-events", "--log-group-name", group)).toMatchObject({
      events: [],
    });
  });
});

describe("log streams through the SDK", () => {
  it("lets a key holding AWSLambdaBasicExecutionRole create streams and put events, and no more", async () => {
    const group = `/app/${uniqueName("sdk")}`;
    await silent("create-log-group", "--log-group-name", group);
    const UserName = uniqueName("logger");
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(
      new AttachUserPolicyCommand({
        UserName,
        PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
    const asUser = new CloudWatchLogsClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string },
      maxAttempts: 1,
    });
    try {
      await waitFor(async () =>
        (await errorName(asUser.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" })))) ===
        "resolved"
          ? true
          : undefined,
      );
      const put = await asUser.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: "s",
          logEvents: [{ timestamp: Date.now(), message: "from the SDK" }],
        }),
      );
      expect(put.rejectedLogEventsInfo).toBeUndefined();
      expect(
        await errorName(asUser.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "s" }))),
      ).toBe("AccessDeniedException");
      expect(await errorName(asUser.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s" })))).toBe(
        "AccessDeniedException",
      );
    } finally {
      asUser.destroy();
    }
    const read = await logs<{ events: Array<{ message: string }> }>(
      ...["get-log-events", "--log-group-name", group, "--log-stream-name", "s"],
    );
    expect(read.events.map((e) => e.message)).toEqual(["from the SDK"]);
  });
});
