// CloudWatch Logs on a live stack, read by @aws-sdk/client-cloudwatch-logs and the AWS
// CLI unchanged: a function's lines (with START/END/REPORT) in /aws/lambda/<function>,
// one stream per execution environment; GetLogEvents paged both ways; FilterLogEvents
// with CloudWatch's filter patterns; `aws logs tail --follow` seeing a new invocation;
// retention and the per-group cap enforced by the sweeper; another account's group not found.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  paginateDescribeLogGroups,
  paginateFilterLogEvents,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { createPgLogSweepStore } from "@stratus/control-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, invokeFunction, storedLog } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const CAP = 64 * 1024;
const stack = useStack(
  {},
  { controlPlaneEnv: { STRATUS_LOGS_SWEEP_MS: "300", STRATUS_LOGS_MAX_GROUP_BYTES: String(CAP) } },
);
let logs: CloudWatchLogsClient;
let dir: string;
let fn: string;
let group: string;
const requestIds: string[] = [];

/** Prints a console line and a raw JSON line. */
const CODE = `exports.handler = async (event) => {
  console.log("hello " + event.n);
  process.stdout.write(JSON.stringify({ level: event.level, latency: event.latency, n: event.n }) + "\\n");
  return event.n;
};`;

const aws = (...args: string[]) => runAwsCli(stack, dir, args);
const json = async (...args: string[]) => {
  const r = await aws(...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

async function refused(call: Promise<unknown>, name: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe(name);
}

/** Every event of the function's only stream, from the head. */
async function streamMessages(stream: string): Promise<string[]> {
  const out = await logs.send(
    new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }),
  );
  return (out.events ?? []).map((e) => e.message ?? "");
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cwlogs-"));
  logs = new CloudWatchLogsClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
  fn = await deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": CODE } });
  group = `/aws/lambda/${fn}`;
  for (const event of [
    { n: 1, level: "INFO", latency: 20 },
    { n: 2, level: "ERROR", latency: 250 },
  ]) {
    const r = await invokeFunction(stack, fn, event);
    requestIds.push(r.out.$metadata.requestId as string);
  }
  // Both invocations' REPORT lines stored.
  await waitFor(
    async () => {
      const out = await logs
        .send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "REPORT" }))
        .catch(() => undefined);
      return (out?.events?.length ?? 0) >= 2 ? true : undefined;
    },
    20_000,
    { what: "both invocations' logs" },
  );
}, 120_000);

afterAll(async () => {
  logs?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a function's log group and stream", () => {
  it("lists the group, by prefix and by pattern, with the SDK and the CLI", async () => {
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    expect(out.logGroups?.map((g) => g.logGroupName)).toEqual([group]);
    expect(out.logGroups?.[0]?.arn).toBe(
      `arn:aws:logs:${stack.region}:${stack.credentials.accountId}:log-group:${group}:*`,
    );
    expect(out.logGroups?.[0]?.storedBytes).toBeGreaterThan(0);
    const byPattern = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: fn.toUpperCase() }));
    expect(byPattern.logGroups?.map((g) => g.logGroupName)).toEqual([group]);
    const cli = await json("logs", "describe-log-groups", "--log-group-name-prefix", group);
    expect((cli.logGroups as { logGroupName: string }[]).map((g) => g.logGroupName)).toEqual([group]);
  });

  it("pages log groups with limit and nextToken", async () => {
    const names = ["a", "b", "c"].map((s) => `/stratus/page-${fn}/${s}`);
    for (const n of names) await logs.send(new CreateLogGroupCommand({ logGroupName: n }));
    const seen: string[] = [];
    for await (const page of paginateDescribeLogGroups(
      { client: logs, pageSize: 2 },
      { logGroupNamePrefix: `/stratus/page-${fn}/` },
    )) {
      expect(page.logGroups?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.logGroups ?? []).map((g) => g.logGroupName as string));
    }
    expect(seen).toEqual(names);
    await refused(logs.send(new CreateLogGroupCommand({ logGroupName: names[0] })), "ResourceAlreadyExistsException");
    await logs.send(new DeleteLogGroupCommand({ logGroupName: names[0] }));
    await refused(logs.send(new DeleteLogGroupCommand({ logGroupName: names[0] })), "ResourceNotFoundException");
  });

  it("keeps one stream per execution environment, named as Lambda names it", async () => {
    const out = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true }),
    );
    expect(out.logStreams).toHaveLength(1);
    const stream = out.logStreams?.[0];
    expect(stream?.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(stream?.lastEventTimestamp).toBeGreaterThanOrEqual(stream?.firstEventTimestamp ?? Number.POSITIVE_INFINITY);
    const cli = await json("logs", "describe-log-streams", "--log-group-name", group);
    expect((cli.logStreams as { logStreamName: string }[])[0]?.logStreamName).toBe(stream?.logStreamName);
    await refused(
      logs.send(
        new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", logStreamNamePrefix: "2" }),
      ),
      "InvalidParameterException",
    );
  });

  it("holds the function's lines between START and END/REPORT, as the stratus CLI's log still shows them", async () => {
    const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams?.[0]
      ?.logStreamName as string;
    const messages = await streamMessages(stream);
    const [first, second] = requestIds;
    const start = messages.indexOf(`START RequestId: ${first} Version: $LATEST`);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(messages.slice(start)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("hello 1"),
        `END RequestId: ${first}`,
        expect.stringMatching(/^REPORT RequestId: .*Billed Duration/),
      ]),
    );
    expect(messages.indexOf(`END RequestId: ${first}`)).toBeLessThan(
      messages.indexOf(`START RequestId: ${second} Version: $LATEST`),
    );
    expect(messages.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${second}`));
    expect(await storedLog(stack, second as string)).toContain("hello 2");
    const cli = await json(
      "logs",
      "get-log-events",
      "--log-group-name",
      group,
      "--log-stream-name",
      stream,
      "--start-from-head",
    );
    expect((cli.events as { message: string }[]).map((e) => e.message)).toEqual(messages);
  });

  it("pages GetLogEvents forward to a repeated token, and backward from the newest", async () => {
    const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams?.[0]
      ?.logStreamName as string;
    const all = await streamMessages(stream);
    const forward: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 50; i++) {
      const page = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          startFromHead: true,
          limit: 3,
          nextToken: token,
        }),
      );
      forward.push(...(page.events ?? []).map((e) => e.message ?? ""));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(forward).toEqual(all);
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, limit: 2 }));
    expect(newest.events?.map((e) => e.message)).toEqual(all.slice(-2));
    const before = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        limit: 2,
        nextToken: newest.nextBackwardToken,
      }),
    );
    expect(before.events?.map((e) => e.message)).toEqual(all.slice(-4, -2));
    await refused(
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, nextToken: "garbage" })),
      "InvalidParameterException",
    );
    await refused(
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "no-such-stream" })),
      "ResourceNotFoundException",
    );
  });
});

describe("FilterLogEvents", () => {
  const filter = async (filterPattern: string) =>
    ((await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern }))).events ?? []).map(
      (e) => e.message,
    );

  it.each([
    ["hello", ["hello 1", "hello 2"]],
    ['"hello 2"', ["hello 2"]],
    ['hello -"hello 2"', ["hello 1"]],
    ['{ $.level = "ERROR" }', ['"n":2']],
    ["{ $.latency > 100 }", ['"n":2']],
    ['{ $.level = "INF*" || $.latency > 1000 }', ['"n":1']],
    ['{ $.level = "INFO" && $.latency > 100 }', []],
  ])("%s finds the lines it should", async (pattern, parts) => {
    const found = await filter(pattern);
    expect(found).toHaveLength(parts.length);
    for (const [i, p] of parts.entries()) expect(found[i]).toContain(p);
  });

  it("answers the CLI, paged one event at a time", async () => {
    const cli = await json(
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--filter-pattern",
      '{ $.level = "ERROR" }',
    );
    expect((cli.events as { message: string }[]).map((e) => JSON.parse(e.message).n)).toEqual([2]);
    const paged: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client: logs, pageSize: 1 },
      { logGroupName: group, filterPattern: "?START ?END" },
    )) {
      paged.push(...(page.events ?? []).map((e) => e.message as string));
    }
    expect(paged.map((m) => m.split(" ")[0])).toEqual(["START", "END", "START", "END"]);
  });

  it("refuses a malformed pattern", async () => {
    await refused(
      logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "{ $.level = " })),
      "InvalidParameterException",
    );
    const cli = await aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", '"unterminated');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("InvalidParameterException");
  });
});

describe("log group tags, through the SDK", () => {
  it("sets them at create, adds and removes them by ARN; another account's group is not found", async () => {
    const name = `/stratus/sdk-tags-${Date.now()}`;
    // A key named __proto__ is a tag like any other (a literal here would set the object's prototype).
    const tags = JSON.parse('{"__proto__":"p","team":"core"}') as Record<string, string>;
    await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags }));
    const resourceArn = `arn:aws:logs:${stack.region}:${stack.credentials.accountId}:log-group:${name}`;
    const tagsOf = async () => (await logs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
    expect(await tagsOf()).toEqual(JSON.parse('{"__proto__":"p","team":"core"}'));
    await logs.send(new TagResourceCommand({ resourceArn, tags: { env: "dev" } }));
    await logs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["__proto__"] }));
    expect(await tagsOf()).toEqual({ team: "core", env: "dev" });
    const otherAccount = await stack.newAccount(`intruder-${Date.now()}`);
    const other = new CloudWatchLogsClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: otherAccount.accessKeyId, secretAccessKey: otherAccount.secretAccessKey },
    });
    await refused(other.send(new ListTagsForResourceCommand({ resourceArn })), "ResourceNotFoundException");
    await refused(other.send(new TagResourceCommand({ resourceArn, tags: { x: "y" } })), "ResourceNotFoundException");
    other.destroy();
    expect(await tagsOf()).toEqual({ team: "core", env: "dev" });
    await logs.send(new DeleteLogGroupCommand({ logGroupName: name }));
  });
});

describe("another account", () => {
  it("sees none of this account's groups", async () => {
    const other = await stack.newAccount("cwlogs-other");
    const client = new CloudWatchLogsClient({ endpoint: stack.endpoint, region: stack.region, credentials: other });
    try {
      const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
      expect(out.logGroups).toEqual([]);
      await refused(client.send(new FilterLogEventsCommand({ logGroupName: group })), "ResourceNotFoundException");
      const arn = `arn:aws:logs:${stack.region}:${stack.credentials.accountId}:log-group:${group}`;
      await refused(client.send(new FilterLogEventsCommand({ logGroupIdentifier: arn })), "ResourceNotFoundException");
      await refused(
        client.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 })),
        "ResourceNotFoundException",
      );
    } finally {
      client.destroy();
    }
  });
});

describe("aws logs tail --follow (AWS CLI v2)", () => {
  let tail: ChildProcess | undefined;
  afterAll(() => {
    tail?.kill();
  });

  it("shows a new invocation's lines as they come", async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: stack.region,
      // Its output is written as events come, not held in a pipe's buffer.
      PYTHONUNBUFFERED: "1",
    };
    // Debian's awscli (v2; scripts/provision.sh installs it); v1 on PATH has no `logs tail`.
    const proc = spawn(
      "/usr/bin/aws",
      ["--endpoint-url", stack.endpoint, "logs", "tail", group, "--follow", "--since", "1h"],
      {
        env,
        cwd: dir,
      },
    );
    tail = proc;
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // It has read what is there: the earlier invocations' lines.
    await waitFor(async () => (out.includes("hello 1") ? true : undefined), 20_000, {
      what: `tail's first read (${err})`,
    });
    const r = await invokeFunction(stack, fn, { n: 77, level: "INFO", latency: 1 });
    const id = r.out.$metadata.requestId as string;
    await waitFor(
      async () => (out.includes("hello 77") && out.includes(`REPORT RequestId: ${id}`) ? true : undefined),
      30_000,
      {
        what: `the new invocation's lines in tail's output (${err})`,
      },
    );
    expect(out).toContain(`START RequestId: ${id}`);
  });
});

/** Stores records as an invoker does, to a group of the test's and at times of its choosing. */
async function ship(records: { group: string; stream: string; lines: { timestamp: number; message: string }[] }[]) {
  const body = records.map((r) => ({
    requestId: crypto.randomUUID(),
    accountId: stack.credentials.accountId,
    functionName: fn,
    version: "$LATEST",
    startedAt: new Date(r.lines[0]?.timestamp ?? Date.now()).toISOString(),
    durationMs: 1,
    outcome: "success",
    text: `${r.lines.map((l) => l.message).join("\n")}\n`,
    logGroup: r.group,
    logStream: r.stream,
    events: r.lines,
  }));
  const res = await fetch(`${stack.endpoint}/internal/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-stratus-internal-token": stack.internalToken },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(204);
}

describe("retention and the per-group cap", () => {
  it("deletes events older than the retention policy, and keeps the rest", async () => {
    const g = `/stratus/retention-${fn}`;
    const day = 86_400_000;
    await ship([
      {
        group: g,
        stream: "old",
        lines: [
          { timestamp: Date.now() - 3 * day, message: "three days old" },
          { timestamp: Date.now() - 2 * day, message: "two days old" },
        ],
      },
      { group: g, stream: "new", lines: [{ timestamp: Date.now(), message: "fresh" }] },
    ]);
    const all = async () =>
      ((await logs.send(new FilterLogEventsCommand({ logGroupName: g }))).events ?? []).map((e) => e.message);
    expect(await all()).toEqual(["three days old", "two days old", "fresh"]);
    await refused(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: g, retentionInDays: 2 })),
      "InvalidParameterException",
    );
    const bad = await aws("logs", "put-retention-policy", "--log-group-name", g, "--retention-in-days", "4");
    expect(bad.stderr).toContain("InvalidParameterException");
    const ok = await aws("logs", "put-retention-policy", "--log-group-name", g, "--retention-in-days", "1");
    expect(ok.code, ok.stderr).toBe(0);
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
    expect(described.logGroups?.[0]?.retentionInDays).toBe(1);
    await waitFor(async () => ((await all()).length === 1 ? true : undefined), 20_000, { what: "the sweep" });
    expect(await all()).toEqual(["fresh"]);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: g }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(["new"]);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: g }));
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
    expect(after.logGroups?.[0]?.retentionInDays).toBeUndefined();
  });

  it("lets one sweeper of several claim a group due a sweep", async () => {
    const g = `/stratus/claim-${fn}`;
    await ship([{ group: g, stream: "s", lines: [{ timestamp: Date.now(), message: "a line" }] }]);
    // Due now for sweepers whose cap it passes (1 byte; the control plane's own is far
    // larger, so it leaves the group alone); two of them claim at once.
    await stack.db.query("UPDATE log_groups SET swept_at = now() - interval '1 day' WHERE name = $1", [g]);
    const sweepers = [createPgLogSweepStore(stack.db), createPgLogSweepStore(stack.db)];
    const claims = await Promise.all(sweepers.map((s) => s.claimSweep(1, 3_600_000, 1000)));
    expect(claims.flat().filter((t) => t.group === g)).toHaveLength(1);
    // Claimed, it is not due again within the interval.
    const again = await sweepers[0]?.claimSweep(1, 3_600_000, 1000);
    expect(again?.some((t) => t.group === g)).toBe(false);
  });

  it("deletes a group's oldest events beyond the cap", async () => {
    const g = `/stratus/cap-${fn}`;
    const line = "x".repeat(1000);
    const base = Date.now() - 1000;
    const lines = Array.from({ length: 100 }, (_, i) => ({ timestamp: base + i, message: `${i} ${line}` }));
    await ship([{ group: g, stream: "s", lines }]);
    const stored = await waitFor(
      async () => {
        const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g }));
        const bytes = out.logGroups?.[0]?.storedBytes ?? Number.POSITIVE_INFINITY;
        return bytes <= CAP ? bytes : undefined;
      },
      20_000,
      { what: "the cap enforced" },
    );
    expect(stored).toBeGreaterThan(0);
    const kept = ((await logs.send(new FilterLogEventsCommand({ logGroupName: g }))).events ?? []).map((e) =>
      Number(e.message?.split(" ")[0]),
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(100);
    // The newest are kept: a contiguous run ending with the last.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 100 - kept.length + i));
  });
});

describe("LoggingConfig", () => {
  /** Logs at three levels and answers where Lambda told it its lines go. */
  const LEVELS = `exports.handler = async () => {
  console.info("info line");
  console.warn("warn line");
  console.error("error line");
  return { group: process.env.AWS_LAMBDA_LOG_GROUP_NAME, stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME };
};`;

  it("writes JSON records to a custom group, the function's lines filtered by its level", async () => {
    const custom = `/stratus/custom/${fn}`;
    const name = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": LEVELS },
      config: { LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "WARN", LogGroup: custom } },
    });
    const conf = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(conf.LoggingConfig).toEqual({
      LogFormat: "JSON",
      ApplicationLogLevel: "WARN",
      SystemLogLevel: "INFO",
      LogGroup: custom,
    });
    const r = await invokeFunction(stack, name, {});
    expect(r.body.group).toBe(custom);
    const id = r.out.$metadata.requestId as string;
    const report = await waitFor(
      async () => {
        const out = await logs
          .send(new FilterLogEventsCommand({ logGroupName: custom, filterPattern: '{ $.type = "platform.report" }' }))
          .catch(() => undefined);
        return out?.events?.[0];
      },
      20_000,
      { what: "the platform.report record" },
    );
    expect(report.logStreamName).toBe(r.body.stream);
    const record = JSON.parse(report.message as string);
    expect(record.record).toMatchObject({ requestId: id, status: "success", metrics: { memorySizeMB: 128 } });
    expect(record.record.metrics.billedDurationMs).toBeGreaterThanOrEqual(1);
    const all = (await logs.send(new FilterLogEventsCommand({ logGroupName: custom }))).events ?? [];
    const records = all.map((e) => JSON.parse(e.message as string));
    expect(records[0]).toMatchObject({ type: "platform.start", record: { requestId: id, version: "$LATEST" } });
    const app = records.filter((x) => x.level !== undefined);
    expect(app.map((x) => [x.level, x.message, x.requestId])).toEqual([
      ["WARN", "warn line", id],
      ["ERROR", "error line", id],
    ]);
    const warn = await logs.send(
      new FilterLogEventsCommand({ logGroupName: custom, filterPattern: '{ $.level = "WARN" }' }),
    );
    expect(warn.events?.map((e) => JSON.parse(e.message as string).message)).toEqual(["warn line"]);
    // Nothing went to the default group.
    const dflt = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/${name}` }));
    expect(dflt.logGroups).toEqual([]);

    // Back to Text with the AWS CLI: the group is kept, the levels dropped, and START/END/REPORT come back.
    const cli = await json(
      "lambda",
      "update-function-configuration",
      "--function-name",
      name,
      "--logging-config",
      "LogFormat=Text",
    );
    expect(cli.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: custom });
    const again = await invokeFunction(stack, name, {});
    const againId = again.out.$metadata.requestId as string;
    await waitFor(
      async () => {
        const out = await logs.send(
          new FilterLogEventsCommand({ logGroupName: custom, filterPattern: `"REPORT RequestId: ${againId}"` }),
        );
        return out.events?.length ? true : undefined;
      },
      20_000,
      { what: "the Text REPORT line" },
    );
    const info = await logs.send(new FilterLogEventsCommand({ logGroupName: custom, filterPattern: '"info line"' }));
    expect(info.events).toHaveLength(1);
  });

  it("has the Python runtime write its logging calls as JSON records at the level set", async () => {
    const name = await deployFunction(stack, {
      runtime: "python3.11",
      handler: "index.handler",
      files: {
        "index.py": [
          "import logging",
          "def handler(event, context):",
          '    logging.getLogger().debug("debug line")',
          '    logging.getLogger().info("info line")',
          '    print("printed line")',
          "    return 1",
        ].join("\n"),
      },
      config: { LoggingConfig: { LogFormat: "JSON" } },
    });
    const r = await invokeFunction(stack, name, {});
    const id = r.out.$metadata.requestId as string;
    const messages = await waitFor(
      async () => {
        const out = await logs
          .send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}` }))
          .catch(() => undefined);
        const all = (out?.events ?? []).map((e) => e.message as string);
        return all.some((m) => m.includes("platform.report")) ? all : undefined;
      },
      20_000,
      { what: "the Python function's records" },
    );
    const info = messages.filter((m) => m.includes("info line")).map((m) => JSON.parse(m));
    expect(info).toEqual([expect.objectContaining({ level: "INFO", message: "info line", requestId: id })]);
    expect(messages.some((m) => m.includes("debug line"))).toBe(false);
    // print() is not a logging call: it stays the text printed, as in Lambda.
    expect(messages).toContain("printed line");
  });

  it("refuses log levels without the JSON format, and changes nothing", async () => {
    const before = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    await expect(
      stack.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: fn,
          LoggingConfig: { LogFormat: "Text", ApplicationLogLevel: "DEBUG" },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    const bad = await aws(
      "lambda",
      "update-function-configuration",
      "--function-name",
      fn,
      "--logging-config",
      "LogFormat=XML",
    );
    expect(bad.code).not.toBe(0);
    const after = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(after.RevisionId).toBe(before.RevisionId);
    expect(after.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: group });
  });
});
