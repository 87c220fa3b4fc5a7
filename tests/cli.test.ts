// The `stratus` CLI, the real built binary run as a child process against a live
// stack with the environment `.stratus/env` gives: init, deploy (create, update,
// unchanged; its progress bar in a pseudo-terminal; --output json), invoke with the
// log tail and function errors, logs and logs --follow, url, schedule, ls, profiles from
// ~/.aws, and failures as one clear line.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProxy } from "./helpers/http-proxy.js";
import { until, waitFor } from "./helpers/poll.js";
import { runStratus, runStratusInTerminal, startStratus, stratusEnv } from "./helpers/stratus-cli.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let home: string;
let env: NodeJS.ProcessEnv;
const stratus = (...args: string[]) => runStratus(args, env, home);
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "stratus-cli-"));
  env = stratusEnv(stack, home);
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** A function folder made by `stratus init` (blueprint hello-node unless said otherwise). */
async function initFolder(name: string, blueprint?: string): Promise<string> {
  const r = await stratus("init", name, ...(blueprint ? ["--blueprint", blueprint] : []));
  expect(r.code, r.stderr).toBe(0);
  return path.join(home, name);
}

const invokeSdk = async (name: string, payload: object) => {
  const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
  return JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8"));
};

describe("stratus deploy", () => {
  it("creates the function from an init folder, updates its code and configuration, and skips what has not changed", async () => {
    const name = unique("cli-deploy");
    const dir = await initFolder(name);
    expect(JSON.parse(await readFile(path.join(dir, "stratus.json"), "utf8"))).toMatchObject({
      name,
      runtime: "nodejs24.x",
      handler: "index.handler",
    });

    const created = await stratus("deploy", name);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^${name} created: Active`));
    const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(fn.Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful", MemorySize: 128 });
    expect(await invokeSdk(name, { name: "cli" })).toMatchObject({ message: "Hello, cli!", function: name });

    await writeFile(path.join(dir, "index.mjs"), "export const handler = async () => ({ version: 2 });\n");
    const config = JSON.parse(await readFile(path.join(dir, "stratus.json"), "utf8"));
    await writeFile(
      path.join(dir, "stratus.json"),
      JSON.stringify({ ...config, memory: 256, environment: { GREETING: "hi" } }),
    );
    const updated = await stratus("deploy", name);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(new RegExp(`^${name} updated: Active`));
    expect(updated.stderr).toContain("MemorySize, Environment");
    const after = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(after.Configuration?.CodeSha256).not.toBe(fn.Configuration?.CodeSha256);
    expect(after.Configuration).toMatchObject({ MemorySize: 256, Environment: { Variables: { GREETING: "hi" } } });
    expect(await invokeSdk(name, {})).toEqual({ version: 2 });

    const again = await stratus("deploy", name);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^${name} unchanged: Active`));
    const same = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(same.Configuration?.RevisionId).toBe(after.Configuration?.RevisionId);
  });

  it("draws an upload progress bar in a terminal", async () => {
    const name = unique("cli-tty");
    await initFolder(name);
    const r = await runStratusInTerminal(["deploy", name], env, home);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Creating cli-tty-\w+ \[█+\] 100% \| [\d.]+ (B|KB) \/ [\d.]+ (B|KB)/);
    expect(r.stdout).toContain(`${name} created: Active`);
  });

  it("prints one JSON document and no progress with --output json, or outside a terminal", async () => {
    const name = unique("cli-json");
    await initFolder(name);
    const r = await stratus("deploy", name, "--output", "json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({
      Action: "created",
      FunctionName: name,
      State: "Active",
      LastUpdateStatus: "Successful",
      Runtime: "nodejs24.x",
    });

    await writeFile(path.join(home, name, "extra.js"), "module.exports = 1;\n");
    const plain = await stratus("deploy", name);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain("█");
    expect(plain.stderr).toMatch(/Updating cli-json-\w+'s code: sent [\d.]+ (B|KB) of [\d.]+ (B|KB)/);
  });

  it("deploys and runs the Python blueprint", async () => {
    const name = unique("cli-py");
    await initFolder(name, "hello-python");
    const r = await stratus("deploy", name);
    expect(r.code, r.stderr).toBe(0);
    const invoked = await stratus("invoke", name, "--payload", '{"name":"py"}');
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ message: "Hello, py!", function: name });
    expect(invoked.stderr).toContain("saying hello to py");
  });

  it("refuses to overwrite an update made between its read and its write (RevisionId), changing nothing", async () => {
    const name = unique("cli-race");
    const dir = await initFolder(name);
    expect((await stratus("deploy", name)).code).toBe(0);
    const before = (await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
    await writeFile(path.join(dir, "index.mjs"), "export const handler = async () => 'mine';\n");
    // Someone else's update lands just as the CLI sends its code: a proxy makes it then.
    const proxy = await startProxy(stack.endpoint, async (req) => {
      if (req.method === "PUT" && req.url?.endsWith(`/functions/${name}/code`)) {
        await stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: "theirs" }));
      }
    });
    try {
      const r = await stratus("deploy", name, "--endpoint-url", proxy.url);
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split("\n").at(-1)).toMatch(/^stratus: PreconditionFailedException: /);
    } finally {
      await proxy.close();
    }
    const after = (await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
    expect(after?.CodeSha256).toBe(before?.CodeSha256);
    expect(after?.Description).toBe("theirs");
  });
});

describe("stratus invoke, logs, url and schedule", () => {
  let name: string;
  let failing: string;

  beforeAll(async () => {
    name = unique("cli-run");
    await initFolder(name);
    expect((await stratus("deploy", name)).code).toBe(0);
    failing = unique("cli-fail");
    const dir = await initFolder(failing);
    await writeFile(
      path.join(dir, "index.mjs"),
      `class PaymentDeclined extends Error { name = "PaymentDeclined"; }
export const handler = async () => { console.log("about to fail"); throw new PaymentDeclined("card refused"); };
`,
    );
    expect((await stratus("deploy", failing)).code).toBe(0);
  });

  it("prints the result and the log tail", async () => {
    await writeFile(path.join(home, "event.json"), '{"name":"file"}');
    const r = await stratus("invoke", name, "--payload", "@event.json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ message: "Hello, file!" });
    expect(r.stderr).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(r.stderr).toContain("saying hello to file");
    expect(r.stderr).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: /);

    const json = await stratus("invoke", name, "--payload", '{"name":"json"}', "--output", "json");
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST", Payload: { message: "Hello, json!" } });
    expect(doc.Log).toContain("saying hello to json");
  });

  it("exits non-zero on a function error, printing its type", async () => {
    const r = await stratus("invoke", failing);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorType: "PaymentDeclined", errorMessage: "card refused" });
    expect(r.stderr).toContain("about to fail");
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe("stratus: PaymentDeclined: card refused");
  });

  it("prints the function's stored logs, and with --follow new invocations' as they come", async () => {
    const marker = unique("first");
    expect((await stratus("invoke", name, "--payload", JSON.stringify({ name: marker }))).code).toBe(0);
    // Logs are stored just after the answer (the invoker ships them in batches): read until there.
    const r = await waitFor(
      async () => {
        const out = await stratus("logs", name, "--limit", "5");
        return out.code !== 0 || out.stdout.includes(`saying hello to ${marker}`) ? out : undefined;
      },
      15_000,
      { what: "the invocation's stored log" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`saying hello to ${marker}`);
    expect(r.stdout).toMatch(/^START RequestId: /m);
    const json = await stratus("logs", name, "--output", "json");
    expect(JSON.parse(json.stdout).Invocations.some((l: { Log: string }) => l.Log.includes(marker))).toBe(true);

    const follow = startStratus(["logs", name, "--follow", "--limit", "1", "--interval", "200"], env, home);
    try {
      await until("the newest log printed", async () => follow.output().includes("START RequestId"), 15_000);
      const later = unique("later");
      expect((await stratus("invoke", name, "--payload", JSON.stringify({ name: later }))).code).toBe(0);
      await until(
        "the new invocation's log followed",
        async () => follow.output().includes(`saying hello to ${later}`),
        15_000,
      );
      const again = unique("again");
      expect((await stratus("invoke", name, "--payload", JSON.stringify({ name: again }))).code).toBe(0);
      await until("the next one too", async () => follow.output().includes(`saying hello to ${again}`), 15_000);
      // Each invocation is printed once.
      expect(follow.output().split(`saying hello to ${later}`).length).toBe(2);
    } finally {
      await follow.stop();
    }
  });

  it("gives the function a URL anyone may call, and makes it AWS_IAM when told", async () => {
    const r = await stratus("url", name);
    expect(r.code, r.stderr).toBe(0);
    const link = r.stdout.trim().split(" ")[0] as string;
    expect(r.stdout).toContain("(NONE, created)");
    const answer = await fetch(`${link}?name=url`, { method: "POST", body: '{"name":"url"}' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ message: expect.stringMatching(/^Hello, /) });
    const again = await stratus("url", name, "--output", "json");
    expect(JSON.parse(again.stdout)).toMatchObject({ Action: "unchanged", FunctionUrl: link, AuthType: "NONE" });
    const iam = await stratus("url", name, "--auth-type", "AWS_IAM", "--output", "json");
    expect(iam.code, iam.stderr).toBe(0);
    expect(JSON.parse(iam.stdout)).toMatchObject({ Action: "updated", FunctionUrl: link, AuthType: "AWS_IAM" });
    expect((await fetch(link)).status).toBe(403);
    const bad = await stratus("url", "no-such-function");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^stratus: ResourceNotFoundException: /);
  });

  it("creates a Scheduler schedule that targets the function, and updates it when run again", async () => {
    const r = await stratus("schedule", name, "rate(5 minutes)", "--payload", '{"name":"cron"}');
    expect(r.code, r.stderr).toBe(0);
    const scheduler = new SchedulerClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: stack.credentials,
    });
    try {
      const s = await scheduler.send(new GetScheduleCommand({ Name: name }));
      expect(s).toMatchObject({ ScheduleExpression: "rate(5 minutes)", State: "ENABLED" });
      expect(s.Target?.Arn).toBe(`arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`);
      expect(JSON.parse(s.Target?.Input ?? "")).toEqual({ name: "cron" });

      const named = await stratus(
        "schedule",
        name,
        "rate(1 hour)",
        "--schedule-name",
        `${name}-hourly`,
        "--output",
        "json",
      );
      expect(JSON.parse(named.stdout)).toMatchObject({ Action: "created", Name: `${name}-hourly` });
      const published = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
      const pinned = await stratus(
        "schedule",
        name,
        "rate(2 hours)",
        "--qualifier",
        published.Version ?? "",
        "--schedule-name",
        `${name}-v`,
      );
      expect(pinned.code, pinned.stderr).toBe(0);
      expect((await scheduler.send(new GetScheduleCommand({ Name: `${name}-v` }))).Target?.Arn).toBe(
        `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}:${published.Version}`,
      );
      const changed = await stratus("schedule", name, "rate(10 minutes)");
      expect(changed.code, changed.stderr).toBe(0);
      expect(changed.stdout).toContain("updated");
      expect((await scheduler.send(new GetScheduleCommand({ Name: name }))).ScheduleExpression).toBe(
        "rate(10 minutes)",
      );
    } finally {
      scheduler.destroy();
    }
  });

  it("lists the functions", async () => {
    const r = await stratus("ls");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+LAST MODIFIED$/m);
    expect(r.stdout).toMatch(new RegExp(`^${name}\\s+nodejs24.x\\s+128 MB\\s+3 s`, "m"));
    const json = await stratus("ls", "--output", "json");
    expect(JSON.parse(json.stdout).Functions.map((f: { FunctionName: string }) => f.FunctionName)).toContain(name);
  });

  it("reads a profile from ~/.aws as the AWS CLI does", async () => {
    const profileHome = await mkdtemp(path.join(tmpdir(), "stratus-cli-profile-"));
    try {
      await mkdir(path.join(profileHome, ".aws"));
      await writeFile(
        path.join(profileHome, ".aws", "config"),
        `[profile onprem]\nregion = ${stack.region}\nendpoint_url = ${stack.endpoint}\n`,
      );
      await writeFile(
        path.join(profileHome, ".aws", "credentials"),
        `[onprem]\naws_access_key_id = ${stack.credentials.accessKeyId}\naws_secret_access_key = ${stack.credentials.secretAccessKey}\n`,
      );
      const bare = { PATH: process.env.PATH, HOME: profileHome };
      const byFlag = await runStratus(["ls", "--profile", "onprem"], bare, profileHome);
      expect(byFlag.code, byFlag.stderr).toBe(0);
      expect(byFlag.stdout).toContain(name);
      const byEnv = await runStratus(["logs", name, "--limit", "1"], { ...bare, AWS_PROFILE: "onprem" }, profileHome);
      expect(byEnv.code, byEnv.stderr).toBe(0);
      expect(byEnv.stdout).toContain("START RequestId");
    } finally {
      await rm(profileHome, { recursive: true, force: true });
    }
  });
});

describe("stratus errors", () => {
  const oneLine = (stderr: string) => {
    const lines = stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it("prints one clear line and exits non-zero for a wrong key, a missing function and bad input", async () => {
    const wrongSecret = await runStratus(["ls"], { ...env, AWS_SECRET_ACCESS_KEY: "not-the-secret" }, home);
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stdout).toBe("");
    expect(oneLine(wrongSecret.stderr)).toMatch(/^stratus: InvalidSignatureException: /);

    const unknownKey = await runStratus(["logs", "x"], { ...env, AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000" }, home);
    expect(unknownKey.code).toBe(1);
    expect(oneLine(unknownKey.stderr)).toBe(
      "stratus: UnrecognizedClientException: The security token included in the request is invalid.",
    );

    const nobody = await stratus("ls", "--endpoint-url", "http://127.0.0.1:1");
    expect(nobody.code).toBe(1);
    expect(oneLine(nobody.stderr)).toMatch(/^stratus: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1$/);

    const missing = await stratus("invoke", unique("nope"));
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toMatch(/^stratus: ResourceNotFoundException: \S/);

    const noLogs = await stratus("logs", unique("nope"), "--follow");
    expect(noLogs.code).toBe(1);
    expect(oneLine(noLogs.stderr)).toMatch(/^stratus: ResourceNotFoundException: \S/);

    const badPayload = await stratus("invoke", "whatever", "--payload", "{nope");
    expect(badPayload.code).toBe(1);
    expect(oneLine(badPayload.stderr)).toMatch(/^stratus: InvalidPayload: --payload is not JSON: /);

    const big = unique("cli-big");
    await initFolder(big);
    await writeFile(path.join(home, big, "blob.bin"), randomBytes(51 * 1024 * 1024));
    const tooLarge = await stratus("deploy", big);
    expect(tooLarge.code).toBe(1);
    expect(tooLarge.stderr.trimEnd().split("\n").at(-1)).toMatch(
      /^stratus: ZipTooLarge: the zip is 51\.0 MB; Lambda takes at most 50\.0 MB zipped/,
    );
    await expect(stack.lambda.send(new GetFunctionCommand({ FunctionName: big }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });

    const noConfig = await stratus("deploy", "no-such-folder");
    expect(noConfig.code).toBe(1);
    expect(oneLine(noConfig.stderr)).toMatch(/^stratus: ConfigError: .*stratus\.json not found/);
  });
});
