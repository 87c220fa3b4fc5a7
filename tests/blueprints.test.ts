// Every blueprint in examples/ (a folder with a stratus.json) made into a function
// with the real `stratus init --blueprint` and `stratus deploy`, then run the way its
// README says: hello by invoke, the HTTP API through a function URL, the scheduled job
// by a one-off schedule, the queue consumer from a RabbitMQ queue through an event
// source mapping (and its partial-batch answer), the workflow sequence as a state
// machine built from its statemachine.asl.json.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetFunctionCommand,
  InvokeCommand,
} from "@aws-sdk/client-lambda";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./helpers/poll.js";
import { type RabbitMq, startRabbitMq } from "./helpers/rabbitmq.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { runStratus, stratusEnv } from "./helpers/stratus-cli.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { controlPlaneEnv: { STRATUS_SCHEDULE_POLL_MS: "200" } });
let home: string;
let env: NodeJS.ProcessEnv;
const stratus = (...args: string[]) => runStratus(args, env, home);
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "stratus-blueprints-"));
  env = stratusEnv(stack, home);
});

afterAll(async () => {
  if (home) await rm(home, { recursive: true, force: true });
});

/** `stratus init NAME --blueprint B` then `stratus deploy NAME`: the function's folder. */
async function deployed(blueprint: string, name = unique(blueprint)): Promise<{ name: string; dir: string }> {
  const init = await stratus("init", name, "--blueprint", blueprint);
  expect(init.code, init.stderr).toBe(0);
  const deploy = await stratus("deploy", name);
  expect(deploy.code, deploy.stderr).toBe(0);
  return { name, dir: path.join(home, name) };
}

const invoke = async (name: string, payload: unknown) => {
  const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
  return { error: out.FunctionError, body: JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")) };
};

/** The function's log lines stored so far. */
async function logsOf(name: string): Promise<string> {
  const { rows } = await stack.db.query<{ log: string }>(
    "SELECT log FROM invocation_logs WHERE function_name = $1 ORDER BY started_at",
    [name],
  );
  return rows.map((r) => r.log).join("\n");
}

describe("blueprints", () => {
  it.each([
    ["hello-node", "node"],
    ["hello-python", "python"],
  ])("%s greets by invoke", async (blueprint, who) => {
    const { name } = await deployed(blueprint);
    const r = await stratus("invoke", name, "--payload", JSON.stringify({ name: who }));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ message: `Hello, ${who}!`, function: name });
  });

  it("http-api answers its routes on a function URL", async () => {
    const { name } = await deployed("http-api");
    const u = await stratus("url", name, "--output", "json");
    expect(u.code, u.stderr).toBe(0);
    const base = (JSON.parse(u.stdout) as { FunctionUrl: string }).FunctionUrl;
    const hello = await fetch(`${base}hello?name=url`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ message: "Hello, url!" });
    const echo = await fetch(`${base}echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await echo.json()).toEqual({ received: { a: 1 } });
    const bad = await fetch(`${base}echo`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect((await fetch(`${base}nowhere`)).status).toBe(404);
  });

  it("scheduled-job runs when its schedule comes due", async () => {
    const { name } = await deployed("scheduled-job");
    const due = new Date(Date.now() + 3_000).toISOString().slice(0, 19);
    const marker = unique("job");
    const s = await stratus("schedule", name, `at(${due})`, "--payload", JSON.stringify({ job: marker }));
    expect(s.code, s.stderr).toBe(0);
    await waitFor(
      async () => ((await logsOf(name)).includes(`scheduled job ${marker} ran`) ? true : undefined),
      60_000,
      {
        what: "the scheduled run",
      },
    );
  });

  describe("queue-consumer", () => {
    let rmq: RabbitMq;
    beforeAll(async () => {
      rmq = await startRabbitMq();
    }, 120_000);
    afterAll(async () => {
      await rmq?.close();
    });

    it("reports only the messages it could not process", async () => {
      const { name } = await deployed("queue-consumer");
      const record = (id: string, body: string) => ({ messageId: id, body, eventSource: "aws:sqs" });
      const sqs = await invoke(name, {
        Records: [
          record("m1", JSON.stringify({ id: "o1", quantity: 2 })),
          record("m2", "not json"),
          record("m3", JSON.stringify({ id: "o3", quantity: 0 })),
        ],
      });
      expect(sqs).toEqual({
        error: undefined,
        body: { batchItemFailures: [{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }] },
      });
    });

    it("processes every order published to a RabbitMQ queue mapped to it", async () => {
      const { name } = await deployed("queue-consumer");
      const admin = JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
      const c = stack.credentials;
      const { rows } = await stack.db.query<{ name: string }>("SELECT name FROM accounts WHERE id = $1", [c.accountId]);
      const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/brokers", {
        method: "POST",
        body: JSON.stringify({ Account: rows[0]?.name, Name: unique("orders"), Url: rmq.url }),
      });
      expect(res.status).toBe(201);
      const brokerArn = ((await res.json()) as { BrokerArn: string }).BrokerArn;
      const sm = new SecretsManagerClient({ endpoint: stack.endpoint, region: stack.region, credentials: c });
      const secret = await sm.send(
        new CreateSecretCommand({
          Name: unique("mq"),
          SecretString: JSON.stringify({ username: "guest", password: "guest" }),
        }),
      );
      const queue = unique("orders");
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${rmq.port}`);
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(queue, { durable: true });
      const mapping = await stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: name,
          EventSourceArn: brokerArn,
          Queues: [queue],
          SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: secret.ARN }],
          BatchSize: 5,
        }),
      );
      for (let i = 0; i < 6; i++) ch.sendToQueue(queue, Buffer.from(JSON.stringify({ id: `o${i}`, quantity: i + 1 })));
      await ch.waitForConfirms();
      await conn.close();
      await waitFor(
        async () => {
          const log = await logsOf(name);
          return [0, 1, 2, 3, 4, 5].every((i) => log.includes(`processed order o${i} x${i + 1}`)) ? true : undefined;
        },
        90_000,
        { what: "six orders processed" },
      );
      await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
      sm.destroy();
    }, 150_000);
  });

  it("workflow-sequence runs as the state machine its README builds", async () => {
    const { name, dir } = await deployed("workflow-sequence");
    const fn = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const template = await readFile(path.join(dir, "statemachine.asl.json"), "utf8");
    const definition = template.replaceAll("${FunctionArn}", fn.Configuration?.FunctionArn as string);
    const sfn = new SFNClient({ endpoint: stack.endpoint, region: stack.region, credentials: stack.credentials });
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: unique("orders"),
        definition,
        roleArn: `arn:aws:iam::${stack.credentials.accountId}:role/states`,
      }),
    );
    const run = async (input: unknown) => {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: JSON.stringify(input) }),
      );
      return waitFor(
        async () => {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          return d.status === "RUNNING" ? undefined : d;
        },
        90_000,
        { what: "the execution's end", intervalMs: 250 },
      );
    };
    const ok = await run({
      items: [
        { sku: "a", price: 2.5, quantity: 2 },
        { sku: "b", price: 1, quantity: 1 },
      ],
    });
    expect(ok.status).toBe("SUCCEEDED");
    expect(JSON.parse(ok.output as string)).toMatchObject({ valid: true, total: 6, confirmation: "ORD-6.00-2" });
    const rejected = await run({ items: [] });
    expect({ status: rejected.status, error: rejected.error }).toEqual({ status: "FAILED", error: "OrderRejected" });
    sfn.destroy();
  }, 150_000);
});
