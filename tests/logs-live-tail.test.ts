// Live tail and the newer filter patterns on a live stack, read by
// @aws-sdk/client-cloudwatch-logs and the AWS CLI unchanged: a line a function prints
// reaches an open StartLiveTail session (and the write-to-client latency is measured,
// never asserted); a session's filter pattern filters; bad sessions are refused and
// the per-account cap holds; space-delimited and %regex% patterns in FilterLogEvents.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type LiveTailSessionLogEvent,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { createPgLogEventStore } from "@stratus/control-plane";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, invokeFunction } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

/** Whether `cmd args` runs (exit 0): the CLI or botocore here knows StartLiveTail. */
const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore", timeout: 60_000 }).status === 0;
// `aws` on PATH is v1 on the machine these tests were written on; Debian's v2.9 and
// python3-botocore (bookworm) predate StartLiveTail, and then these parts are skipped.
const CLI_HAS_LIVE_TAIL = runs("aws", ["logs", "start-live-tail", "help"]);
const BOTOCORE_HAS_LIVE_TAIL = runs("python3", [
  "-c",
  "import botocore.session as s; s.get_session().get_service_model('logs').operation_model('StartLiveTail')",
]);

const stack = useStack({}, { controlPlaneEnv: { STRATUS_LOGS_LIVE_TAIL_SESSIONS: "3" } });
let logs: CloudWatchLogsClient;
let dir: string;
let fn: string;
let group: string;
let groupArn: string;

/** Prints each of the event's lines, as they are (console.log would prefix them). */
const CODE = `exports.handler = async (event) => {
  for (const line of event.lines) process.stdout.write(line + "\\n");
  return "ok";
};`;

/** An open live tail, read by the SDK: the events it has seen, and the time each arrived. */
interface Tail {
  events: (LiveTailSessionLogEvent & { at: number })[];
  start?: StartLiveTailResponseStream.SessionStartMember["sessionStart"];
  updates: number;
  abort: AbortController;
  done: Promise<unknown>;
}

async function openTail(input: ConstructorParameters<typeof StartLiveTailCommand>[0]): Promise<Tail> {
  const abort = new AbortController();
  const out = await logs.send(new StartLiveTailCommand(input), { abortSignal: abort.signal });
  const tail: Tail = { events: [], updates: 0, abort, done: Promise.resolve() };
  tail.done = (async () => {
    for await (const e of out.responseStream ?? []) {
      if (e.sessionStart) tail.start = e.sessionStart;
      if (e.sessionUpdate) {
        tail.updates++;
        const at = Date.now();
        for (const r of e.sessionUpdate.sessionResults ?? []) tail.events.push({ ...r, at });
      }
    }
  })().catch(() => undefined);
  await waitFor(async () => tail.start, 10_000, { what: "the session's start" });
  return tail;
}

const messages = (t: Tail) => t.events.map((e) => e.message ?? "");

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-livetail-"));
  // Live tail's host prefix (`streaming-`) names no host of a self-hosted endpoint.
  logs = new CloudWatchLogsClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    disableHostPrefix: true,
  });
  fn = await deployFunction(stack, { runtime: "nodejs22.x", handler: "index.handler", files: { "index.js": CODE } });
  group = `/aws/lambda/${fn}`;
  groupArn = `arn:aws:logs:${stack.region}:${stack.credentials.accountId}:log-group:${group}`;
  await invokeFunction(stack, fn, { lines: ["warm-up"] });
  await waitFor(
    async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group })).catch(() => undefined);
      return (out?.events?.length ?? 0) > 0 ? true : undefined;
    },
    20_000,
    { what: "the group's first lines" },
  );
}, 120_000);

afterAll(async () => {
  logs?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("StartLiveTail (SDK)", () => {
  it("shows a line a function prints, soon after it is written", async () => {
    const tail = await openTail({ logGroupIdentifiers: [groupArn] });
    expect(tail.start).toMatchObject({ logGroupIdentifiers: [groupArn] });
    expect(tail.start?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const marker = `live-${i}-${Date.now()}`;
      const r = await invokeFunction(stack, fn, { lines: [marker] });
      const answered = Date.now();
      const id = r.out.$metadata.requestId as string;
      const seen = await waitFor(async () => tail.events.find((e) => e.message?.includes(marker)), 15_000, {
        what: `${marker} on the live tail`,
      });
      latencies.push(seen.at - answered);
      expect(seen).toMatchObject({ logGroupIdentifier: groupArn });
      expect(seen.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]+$/);
      expect(seen.ingestionTime).toBeGreaterThanOrEqual(seen.timestamp as number);
      await waitFor(async () => messages(tail).find((m) => m.startsWith(`REPORT RequestId: ${id}`)), 15_000, {
        what: "the invocation's REPORT line",
      });
    }
    // Measured, not asserted: from the invoke's answer to the line on the client.
    console.log(`live tail latency (invoke answered -> line on the client), ms: ${latencies.join(", ")}`);
    tail.abort.abort();
    await tail.done;
  });

  it("shows lines another control plane ingested, told by Postgres NOTIFY", async () => {
    const tail = await openTail({ logGroupIdentifiers: [group] });
    const marker = `elsewhere-${Date.now()}`;
    // Written as another control plane's ingestion writes them: another origin, its own transaction.
    await createPgLogEventStore(stack.db).append(
      [
        {
          accountId: stack.credentials.accountId,
          group,
          stream: "2026/01/01/[$LATEST]elsewhere",
          events: [{ timestamp: Date.now(), message: marker }],
        },
      ],
      undefined,
      Date.now(),
      "another-control-plane",
    );
    const seen = await waitFor(async () => tail.events.find((e) => e.message === marker), 15_000, {
      what: "the line from elsewhere",
    });
    expect(seen.logStreamName).toBe("2026/01/01/[$LATEST]elsewhere");
    tail.abort.abort();
    await tail.done;
  });

  it("keeps only the lines its filter pattern matches", async () => {
    const tail = await openTail({ logGroupIdentifiers: [group], logEventFilterPattern: "%ERR[0-9]+%" });
    const marker = `filtered-${Date.now()}`;
    await invokeFunction(stack, fn, { lines: [`INFO ${marker}`, `ERR42 ${marker}`, `ERR ${marker}`] });
    await waitFor(async () => messages(tail).find((m) => m.includes(`ERR42 ${marker}`)), 15_000, {
      what: "the matching line",
    });
    // A later line shows the update that held the others has gone by.
    await invokeFunction(stack, fn, { lines: [`ERR7 after-${marker}`] });
    await waitFor(async () => messages(tail).find((m) => m.includes(`after-${marker}`)), 15_000, {
      what: "the later line",
    });
    expect(messages(tail).filter((m) => m.includes(marker))).toEqual([`ERR42 ${marker}`, `ERR7 after-${marker}`]);
    tail.abort.abort();
    await tail.done;
  });

  it("keeps only the named streams' lines", async () => {
    const tail = await openTail({ logGroupIdentifiers: [group], logStreamNamePrefixes: ["no-such-prefix"] });
    const marker = `unseen-${Date.now()}`;
    await invokeFunction(stack, fn, { lines: [marker] });
    // Two updates after the line was written, it has still not come.
    const after = tail.updates;
    await waitFor(async () => (tail.updates >= after + 2 ? true : undefined), 10_000, { what: "two more updates" });
    expect(messages(tail).some((m) => m.includes(marker))).toBe(false);
    tail.abort.abort();
    await tail.done;
  });

  it("refuses bad sessions with CloudWatch's errors, and more sessions than an account may hold", async () => {
    const refused = (input: ConstructorParameters<typeof StartLiveTailCommand>[0]) =>
      logs.send(new StartLiveTailCommand(input)).then(
        () => "opened",
        (e: Error) => e.name,
      );
    expect(await refused({ logGroupIdentifiers: ["/aws/lambda/no-such-function"] })).toBe("ResourceNotFoundException");
    expect(await refused({ logGroupIdentifiers: [group], logEventFilterPattern: "%a(b)%" })).toBe(
      "InvalidParameterException",
    );
    expect(await refused({ logGroupIdentifiers: [`${groupArn}:*`] })).toBe("InvalidParameterException");
    expect(await refused({ logGroupIdentifiers: [group, `${group}-x`], logStreamNames: ["a"] })).toBe(
      "InvalidParameterException",
    );
    const other = `arn:aws:logs:${stack.region}:999999999999:log-group:${group}`;
    expect(await refused({ logGroupIdentifiers: [other] })).toBe("ResourceNotFoundException");
    const open = [await openTail({ logGroupIdentifiers: [group] })];
    open.push(await openTail({ logGroupIdentifiers: [group] }));
    open.push(await openTail({ logGroupIdentifiers: [group] }));
    expect(await refused({ logGroupIdentifiers: [group] })).toBe("LimitExceededException");
    for (const t of open) t.abort.abort();
    await Promise.all(open.map((t) => t.done));
    // The sessions' places are given back once their clients have gone.
    const again = await waitFor(async () => openTail({ logGroupIdentifiers: [group] }).catch(() => undefined), 10_000, {
      what: "a session once the others closed",
    });
    again.abort.abort();
    await again.done;
  });
});

// botocore, the AWS CLI's client library, reading the stream as it comes.
const BOTOCORE_TAIL = `
import json, sys, botocore.session
from botocore.config import Config
s = botocore.session.get_session()
c = s.create_client("logs", endpoint_url=sys.argv[1], config=Config(inject_host_prefix=False))
out = c.start_live_tail(logGroupIdentifiers=[sys.argv[2]], logEventFilterPattern=sys.argv[3])
for e in out["responseStream"]:
    print(json.dumps(e), flush=True)
`;

describe.skipIf(!BOTOCORE_HAS_LIVE_TAIL)("StartLiveTail (botocore, the AWS CLI's client)", () => {
  let proc: ChildProcess | undefined;
  afterAll(() => {
    proc?.kill();
  });

  it("reads the session's start and a new line that matches its pattern", async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: stack.region,
    };
    const marker = `botocore-live-${Date.now()}`;
    proc = spawn("python3", ["-c", BOTOCORE_TAIL, stack.endpoint, groupArn, `"${marker}"`], { env, cwd: dir });
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    await waitFor(async () => (out.includes("sessionStart") ? true : undefined), 20_000, {
      what: `botocore's session start (${err})`,
    });
    await invokeFunction(stack, fn, { lines: [`${marker} one`, "not this one"] });
    await waitFor(async () => (out.includes(`${marker} one`) ? true : undefined), 20_000, {
      what: `the line in botocore's output (${err})`,
    });
    // Whole lines only: the last may still be coming.
    const results = out
      .split("\n")
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { sessionUpdate?: { sessionResults: { message: string }[] } })
      .flatMap((e) => e.sessionUpdate?.sessionResults ?? []);
    expect(results.map((r) => r.message.trim())).toEqual([`${marker} one`]);
    expect(JSON.stringify(results)).toContain(groupArn);
  });
});

describe.skipIf(!CLI_HAS_LIVE_TAIL)("aws logs start-live-tail (AWS CLI v1; Debian's v2.9 has no such command)", () => {
  let proc: ChildProcess | undefined;
  afterAll(() => {
    proc?.kill();
  });

  it("prints a new line that matches the session's pattern as it comes", async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: stack.region,
      // Live tail's host prefix (`streaming-`) names no host of a self-hosted endpoint.
      AWS_DISABLE_HOST_PREFIX_INJECTION: "true",
      PYTHONUNBUFFERED: "1",
    };
    const marker = `cli-live-${Date.now()}`;
    proc = spawn(
      "aws",
      [
        "--endpoint-url",
        stack.endpoint,
        "logs",
        "start-live-tail",
        "--log-group-identifiers",
        groupArn,
        "--log-event-filter-pattern",
        `"${marker}"`,
      ],
      { env, cwd: dir },
    );
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // The CLI prints the messages alone: once a first line has come, the session is open.
    await waitFor(
      async () => {
        await invokeFunction(stack, fn, { lines: [`${marker} first`] });
        return out.includes(`${marker} first`) ? true : undefined;
      },
      30_000,
      { what: `the CLI's first line (${err})`, intervalMs: 1000 },
    );
    await invokeFunction(stack, fn, { lines: [`${marker} second`, "not this one"] });
    await waitFor(async () => (out.includes(`${marker} second`) ? true : undefined), 20_000, {
      what: `the second line in the CLI's output (${err})`,
    });
    expect(out).not.toContain("not this one");
  });
});

describe("space-delimited and regular expression patterns in FilterLogEvents", () => {
  const marker = `access-${Date.now()}`;
  const ACCESS = [
    `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534 ${marker}`,
    `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /list.html HTTP/1.0" 404 2534 ${marker}`,
    `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355 ${marker}`,
  ];
  beforeAll(async () => {
    await invokeFunction(stack, fn, { lines: ACCESS });
    await waitFor(
      async () => {
        const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: marker }));
        return out.events?.length === 3 ? true : undefined;
      },
      20_000,
      { what: "the access lines stored" },
    );
  });

  const cases: [string, number[]][] = [
    [`[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes > 2000, m = ${marker}]`, [1]],
    [`[ip, ..., status_code = 404 || status_code = 200, bytes, m = ${marker}]`, [0, 1, 2]],
    [`[..., request = %apache_pb%, status_code, bytes, m = ${marker}]`, [2]],
    ["%GET\\s/list\\.html%", [1]],
    [`%\\s404\\s1534\\s${marker}$%`, [0]],
  ];

  it.each(cases)("%s, by the SDK", async (pattern, expected) => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: pattern }));
    expect((out.events ?? []).map((e) => ACCESS.indexOf(e.message?.trim() ?? ""))).toEqual(expected);
  });

  it.each(cases)("%s, by aws logs filter-log-events", async (pattern, expected) => {
    const r = await runAwsCli(stack, dir, [
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--filter-pattern",
      pattern,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const events = (JSON.parse(r.stdout) as { events: { message: string }[] }).events;
    expect(events.map((e) => ACCESS.indexOf(e.message.trim()))).toEqual(expected);
  });

  it("refuses a regex outside CloudWatch's subset, by the CLI", async () => {
    const r = await runAwsCli(stack, dir, [
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--filter-pattern",
      "%something!%",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("InvalidParameterException");
  });
});
