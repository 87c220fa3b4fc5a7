// Resource-based policies on a live stack, through @aws-sdk/client-lambda and the AWS
// CLI unchanged: AddPermission, GetPolicy and RemovePermission as Lambda renders
// them, per function, version and alias; RevisionId and duplicate Sid refusals; bad
// input refused with nothing stored; and a second account (made with the admin API)
// invoking a function by its ARN only while a statement grants it.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AddPermissionCommand,
  type AddPermissionCommandInput,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetPolicyCommand,
  InvalidParameterValueException,
  InvokeCommand,
  type LambdaClient,
  PreconditionFailedException,
  PublishVersionCommand,
  RemovePermissionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const ROLE = "arn:aws:iam::123456789012:role/lambda-role";
const RULE = "arn:aws:events:us-east-1:123456789012:rule/nightly";
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const decode = (p?: Uint8Array) => JSON.parse(Buffer.from(p ?? []).toString("utf8"));

const stack = useStack();
let dir: string;
let other: Credentials;
let otherLambda: LambdaClient;

/** A second account and its key, made with the admin API as an operator would. */
async function accountFromAdminApi(): Promise<Credentials> {
  const admin = JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
  const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/accounts", {
    method: "POST",
    body: JSON.stringify({ Name: uniqueName("partner") }),
  });
  expect(res.status).toBe(201);
  const made = (await res.json()) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
  return { accountId: made.AccountId, accessKeyId: made.AccessKeyId, secretAccessKey: made.SecretAccessKey };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-permissions-"));
  other = await accountFromAdminApi();
  otherLambda = stack.clientFor(other);
});

afterAll(async () => {
  otherLambda?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

/** A function answering `value`, with version 1 and alias `prod` on it; returns its name and ARN. */
async function deploy(value = "hello") {
  const name = uniqueName("perm");
  const made = await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction(`exports.handler = async () => ${JSON.stringify(value)};`) },
    }),
  );
  await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "prod", FunctionVersion: "1" }));
  return { name, arn: made.FunctionArn as string };
}

const add = (input: Omit<AddPermissionCommandInput, "Action"> & { Action?: string }) =>
  stack.lambda.send(new AddPermissionCommand({ Action: "lambda:InvokeFunction", ...input }));

async function policyOf(name: string, qualifier?: string) {
  const out = await stack.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: qualifier }));
  return { doc: JSON.parse(out.Policy as string), revisionId: out.RevisionId as string };
}

async function noPolicy(name: string, qualifier?: string) {
  await expect(stack.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: qualifier }))).rejects.toThrow(
    expect.objectContaining({
      name: "ResourceNotFoundException",
      message: "The resource you requested does not exist.",
    }),
  );
}

describe("AddPermission, GetPolicy and RemovePermission, through the SDK", () => {
  it("adds, reads and removes statements as Lambda renders them", async () => {
    const { name, arn } = await deploy();
    await noPolicy(name);
    const added = await add({
      FunctionName: name,
      StatementId: "events",
      Principal: "events.amazonaws.com",
      SourceArn: RULE,
    });
    expect(added.$metadata.httpStatusCode).toBe(201);
    const events = {
      Sid: "events",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: arn,
      Condition: { ArnLike: { "AWS:SourceArn": RULE } },
    };
    expect(added.Statement).toBe(JSON.stringify(events));
    const first = await policyOf(name);
    expect(first.doc).toEqual({ Version: "2012-10-17", Id: "default", Statement: [events] });

    await add({
      FunctionName: arn,
      StatementId: "partner",
      Principal: other.accountId,
      SourceAccount: other.accountId,
    });
    const second = await policyOf(name);
    expect(second.revisionId).not.toBe(first.revisionId);
    expect(second.doc.Statement[1]).toEqual({
      Sid: "partner",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${other.accountId}:root` },
      Action: "lambda:InvokeFunction",
      Resource: arn,
      Condition: { StringEquals: { "AWS:SourceAccount": other.accountId } },
    });

    await expect(
      stack.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "nope" })),
    ).rejects.toThrow("Statement nope is not found in resource policy.");
    const removed = await stack.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "events" }));
    expect(removed.$metadata.httpStatusCode).toBe(204);
    expect((await policyOf(name)).doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["partner"]);
    await stack.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "partner" }));
    await noPolicy(name);
  });

  it("keeps a policy per version and alias, and drops it with them", async () => {
    const { name, arn } = await deploy();
    await add({ FunctionName: name, Qualifier: "prod", StatementId: "s", Principal: "sns.amazonaws.com" });
    await add({ FunctionName: `${name}:1`, StatementId: "s", Principal: "sns.amazonaws.com" });
    expect((await policyOf(name, "prod")).doc.Statement[0].Resource).toBe(`${arn}:prod`);
    expect((await policyOf(`${arn}:1`)).doc.Statement[0].Resource).toBe(`${arn}:1`);
    await noPolicy(name);
    await expect(
      add({ FunctionName: name, Qualifier: "$LATEST", StatementId: "s", Principal: "sns.amazonaws.com" }),
    ).rejects.toThrow("We currently do not support adding policies for $LATEST.");
    await expect(
      add({ FunctionName: name, Qualifier: "beta", StatementId: "s", Principal: "sns.amazonaws.com" }),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    await stack.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "prod" }));
    await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "prod", FunctionVersion: "$LATEST" }));
    await noPolicy(name, "prod");
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    await noPolicy(name, "1");

    await add({ FunctionName: name, StatementId: "s", Principal: "sns.amazonaws.com" });
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await deployNamed(name);
    await noPolicy(name);
  });

  it("refuses a duplicate statement id and a stale RevisionId", async () => {
    const { name } = await deploy();
    await add({ FunctionName: name, StatementId: "s", Principal: "s3.amazonaws.com" });
    const { revisionId } = await policyOf(name);
    await expect(add({ FunctionName: name, StatementId: "s", Principal: "sqs.amazonaws.com" })).rejects.toThrow(
      expect.objectContaining({
        name: ResourceConflictException.name,
        message:
          "The statement id (s) provided already exists. Please provide a new statement id, or remove the existing statement.",
      }),
    );
    const stale = "00000000-0000-4000-8000-000000000000";
    await expect(
      add({ FunctionName: name, StatementId: "t", Principal: "sqs.amazonaws.com", RevisionId: stale }),
    ).rejects.toBeInstanceOf(PreconditionFailedException);
    await expect(
      stack.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "s", RevisionId: stale })),
    ).rejects.toBeInstanceOf(PreconditionFailedException);
    expect(await policyOf(name)).toMatchObject({ revisionId });

    await add({ FunctionName: name, StatementId: "t", Principal: "sqs.amazonaws.com", RevisionId: revisionId });
    const next = await policyOf(name);
    await stack.lambda.send(
      new RemovePermissionCommand({ FunctionName: name, StatementId: "s", RevisionId: next.revisionId }),
    );
    expect((await policyOf(name)).doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["t"]);
  });

  it("refuses bad input as InvalidParameterValueException, storing nothing", async () => {
    const { name } = await deploy();
    const bad: Array<Partial<AddPermissionCommandInput>> = [
      { Principal: "example.com" },
      { Principal: "arn:aws:iam::123456789012:role/deployer" },
      { Action: "lambda:CreateFunction" },
      { StatementId: "has.dot" },
      { SourceArn: "rule/nightly" },
      { SourceAccount: "12345" },
      { PrincipalOrgID: "org" },
      { FunctionUrlAuthType: "OPEN" as "NONE" },
      { InvokedViaFunctionUrl: true },
    ];
    for (const fields of bad) {
      await expect(
        add({ FunctionName: name, StatementId: "s", Principal: "events.amazonaws.com", ...fields }),
        JSON.stringify(fields),
      ).rejects.toBeInstanceOf(InvalidParameterValueException);
    }
    // A field the SDK would not send: refused by name.
    const res = await signedFetch(
      stack.endpoint,
      stack.region,
      stack.credentials,
      `/2015-03-31/functions/${name}/policy`,
      {
        method: "POST",
        body: JSON.stringify({ StatementId: "s", Action: "lambda:InvokeFunction", Principal: "*", Effect: "Deny" }),
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/Unknown parameter Effect/);
    await noPolicy(name);
  });

  it("hides one account's policies from another", async () => {
    const { name, arn } = await deploy();
    await add({ FunctionName: name, StatementId: "s", Principal: other.accountId });
    for (const attempt of [
      () => otherLambda.send(new GetPolicyCommand({ FunctionName: arn })),
      () => otherLambda.send(new RemovePermissionCommand({ FunctionName: arn, StatementId: "s" })),
      () =>
        otherLambda.send(
          new AddPermissionCommand({ FunctionName: arn, StatementId: "t", Action: "lambda:*", Principal: "*" }),
        ),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
    expect((await policyOf(name)).doc.Statement).toHaveLength(1);
  });
});

/** Creates a function under `name` again (after its deletion). */
async function deployNamed(name: string) {
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction("exports.handler = async () => 1;") },
    }),
  );
}

describe("invoking another account's function", () => {
  const notFound = expect.objectContaining({ name: "ResourceNotFoundException" });

  it("is refused before a grant, allowed after (sync, Event, DryRun), and refused again once removed", async () => {
    const { name, arn } = await deploy("shared");
    const invoke = (type?: "Event" | "DryRun") =>
      otherLambda.send(new InvokeCommand({ FunctionName: arn, ...(type ? { InvocationType: type } : {}) }));
    await expect(invoke()).rejects.toThrow(notFound);
    await expect(invoke("Event")).rejects.toThrow(notFound);

    await add({ FunctionName: name, StatementId: "partner", Principal: other.accountId });
    expect(decode((await invoke()).Payload)).toBe("shared");
    expect((await invoke("DryRun")).StatusCode).toBe(204);
    const event = await invoke("Event");
    expect(event.StatusCode).toBe(202);
    // The invocation is the owner's: it runs, and is seen, in the function's account.
    const id = event.$metadata.requestId as string;
    await waitFor(
      async () => {
        const res = await signedFetch(
          stack.endpoint,
          stack.region,
          stack.credentials,
          `/stratus/2026-11-01/invocations/${id}`,
        );
        const s = (await res.json()) as { Status?: string };
        return s.Status === "succeeded" ? s : undefined;
      },
      30_000,
      { what: "the cross-account Event invocation to succeed" },
    );
    // Only the ARN reaches another account: a plain name is the caller's own.
    await expect(otherLambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toThrow(notFound);

    await stack.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: "partner" }));
    await expect(invoke()).rejects.toThrow(notFound);
  });

  it("allows only the version or alias the grant is on, and only what the grant names", async () => {
    const { name, arn } = await deploy("aliased");
    await add({
      FunctionName: name,
      Qualifier: "prod",
      StatementId: "p",
      Principal: `arn:aws:iam::${other.accountId}:root`,
    });
    await add({ FunctionName: name, StatementId: "svc", Principal: "events.amazonaws.com" });
    await add({
      FunctionName: name,
      StatementId: "url",
      Action: "lambda:InvokeFunctionUrl",
      Principal: other.accountId,
    });
    await add({ FunctionName: name, StatementId: "src", Principal: "*", SourceAccount: other.accountId });
    const invoke = (fn: string, Qualifier?: string) =>
      otherLambda.send(new InvokeCommand({ FunctionName: fn, Qualifier }));
    expect(decode((await invoke(`${arn}:prod`)).Payload)).toBe("aliased");
    expect(decode((await invoke(arn, "prod")).Payload)).toBe("aliased");
    await expect(invoke(arn)).rejects.toThrow(notFound);
    await expect(invoke(`${arn}:$LATEST`)).rejects.toThrow(notFound);
    await expect(invoke(`${arn}:1`)).rejects.toThrow(notFound);
  });
});

describe("AddPermission, GetPolicy and RemovePermission, through the AWS CLI", () => {
  it("adds statements for a service, an alias and a function URL, reads and removes them", async () => {
    const { name, arn } = await deploy();
    const added = await aws(
      "lambda",
      "add-permission",
      "--function-name",
      name,
      "--statement-id",
      "nightly",
      "--action",
      "lambda:InvokeFunction",
      "--principal",
      "events.amazonaws.com",
      "--source-arn",
      RULE,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(added.stdout).Statement)).toEqual({
      Sid: "nightly",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: arn,
      Condition: { ArnLike: { "AWS:SourceArn": RULE } },
    });
    const url = await aws(
      "lambda",
      "add-permission",
      "--function-name",
      name,
      "--statement-id",
      "public-url",
      "--action",
      "lambda:InvokeFunctionUrl",
      "--principal",
      "*",
      "--function-url-auth-type",
      "NONE",
    );
    expect(url.code, url.stderr).toBe(0);
    const aliased = await aws(
      "lambda",
      "add-permission",
      "--function-name",
      name,
      "--qualifier",
      "prod",
      "--statement-id",
      "partner",
      "--action",
      "lambda:InvokeFunction",
      "--principal",
      other.accountId,
    );
    expect(aliased.code, aliased.stderr).toBe(0);

    const got = await aws("lambda", "get-policy", "--function-name", name);
    expect(got.code, got.stderr).toBe(0);
    const out = JSON.parse(got.stdout) as { Policy: string; RevisionId: string };
    const statements = JSON.parse(out.Policy).Statement;
    expect(statements[1]).toEqual({
      Sid: "public-url",
      Effect: "Allow",
      Principal: "*",
      Action: "lambda:InvokeFunctionUrl",
      Resource: arn,
      Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "NONE" } },
    });
    const onAlias = JSON.parse(
      (await aws("lambda", "get-policy", "--function-name", name, "--qualifier", "prod")).stdout,
    );
    expect(JSON.parse(onAlias.Policy).Statement[0].Resource).toBe(`${arn}:prod`);
    expect(decode((await otherLambda.send(new InvokeCommand({ FunctionName: `${arn}:prod` }))).Payload)).toBe("hello");

    const again = await aws(
      "lambda",
      "add-permission",
      "--function-name",
      name,
      "--statement-id",
      "nightly",
      "--action",
      "lambda:InvokeFunction",
      "--principal",
      "events.amazonaws.com",
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/ResourceConflictException/);

    const stale = await aws(
      "lambda",
      "remove-permission",
      "--function-name",
      name,
      "--statement-id",
      "nightly",
      "--revision-id",
      "00000000-0000-4000-8000-000000000000",
    );
    expect(stale.stderr).toMatch(/PreconditionFailedException/);
    const removed = await aws(
      "lambda",
      "remove-permission",
      "--function-name",
      name,
      "--statement-id",
      "nightly",
      "--revision-id",
      out.RevisionId,
    );
    expect(removed.code, removed.stderr).toBe(0);
    expect(
      JSON.parse(JSON.parse((await aws("lambda", "get-policy", "--function-name", name)).stdout).Policy).Statement,
    ).toHaveLength(1);
  });
});
