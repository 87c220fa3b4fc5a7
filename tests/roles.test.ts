// Execution roles on a live stack: IAM's roles and policies driven by the AWS CLI (v1
// on PATH and Debian's v2) and @aws-sdk/client-iam; a malformed policy refused with
// nothing stored; a function's Role checked; and a function whose role allows
// invoking one function calls it with the AWS SDK and nothing else in its code (the
// endpoint and temporary credentials come from its environment), and is refused
// AccessDeniedException for another.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, invokeFunction, ROLE, uniqueName } from "./helpers/functions.js";
import { bundleHandler, deployWithRole, errorName, LAMBDA_TRUST } from "./helpers/iam.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip } from "./helpers/zip.js";

const stack = useStack();
let iam: IAMClient;
let dir: string;

const allow = (action: string, resource: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: resource }] });

beforeAll(async () => {
  iam = new IAMClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
  dir = await mkdtemp(path.join(tmpdir(), "stratus-roles-"));
});

afterAll(async () => {
  iam?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `aws iam ...` with the CLI on PATH (v1), or Debian's v2 at /usr/bin/aws. */
async function cli(version: 1 | 2, ...args: string[]) {
  const env: Record<string, string> = version === 2 ? { PATH: `/usr/bin:${process.env.PATH}` } : {};
  return runAwsCli(stack, dir, ["iam", ...args], env);
}

async function cliOk(version: 1 | 2, ...args: string[]): Promise<Record<string, unknown>> {
  const r = await cli(version, ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

describe("IAM through the AWS CLI", () => {
  it.each([1, 2] as const)("v%i manages a role, its inline and managed policies", async (v) => {
    const role = uniqueName("cli-role");
    const created = (await cliOk(
      v,
      "create-role",
      "--role-name",
      role,
      "--assume-role-policy-document",
      LAMBDA_TRUST,
    )) as {
      Role: { Arn: string; RoleName: string; AssumeRolePolicyDocument: unknown };
    };
    expect(created.Role.RoleName).toBe(role);
    expect(created.Role.Arn).toBe(`arn:aws:iam::${stack.credentials.accountId}:role/${role}`);
    // The CLI decodes IAM's URL-encoded documents back into JSON.
    expect(created.Role.AssumeRolePolicyDocument).toEqual(JSON.parse(LAMBDA_TRUST));
    const got = (await cliOk(v, "get-role", "--role-name", role)) as { Role: { Arn: string } };
    expect(got.Role.Arn).toBe(created.Role.Arn);
    const again = await cli(v, "create-role", "--role-name", role, "--assume-role-policy-document", LAMBDA_TRUST);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("EntityAlreadyExists");

    const doc = allow("lambda:GetFunction", "*");
    await cliOk(v, "put-role-policy", "--role-name", role, "--policy-name", "read", "--policy-document", doc);
    const inline = (await cliOk(v, "get-role-policy", "--role-name", role, "--policy-name", "read")) as {
      PolicyDocument: unknown;
    };
    expect(inline.PolicyDocument).toEqual(JSON.parse(doc));
    expect(await cliOk(v, "list-role-policies", "--role-name", role)).toMatchObject({ PolicyNames: ["read"] });

    const policy = (await cliOk(v, "create-policy", "--policy-name", `${role}-p`, "--policy-document", doc)) as {
      Policy: { Arn: string; DefaultVersionId: string };
    };
    expect(policy.Policy.Arn).toBe(`arn:aws:iam::${stack.credentials.accountId}:policy/${role}-p`);
    await cliOk(v, "attach-role-policy", "--role-name", role, "--policy-arn", policy.Policy.Arn);
    expect(await cliOk(v, "list-attached-role-policies", "--role-name", role)).toMatchObject({
      AttachedPolicies: [{ PolicyName: `${role}-p`, PolicyArn: policy.Policy.Arn }],
    });
    const listed = (await cliOk(v, "list-policies", "--scope", "Local")) as { Policies: Array<{ Arn: string }> };
    expect(listed.Policies.map((p) => p.Arn)).toContain(policy.Policy.Arn);

    // Refused while policies are attached or embedded, and while a managed policy is attached.
    const conflict = await cli(v, "delete-role", "--role-name", role);
    expect(conflict.stderr).toContain("DeleteConflict");
    expect((await cli(v, "delete-policy", "--policy-arn", policy.Policy.Arn)).stderr).toContain("DeleteConflict");
    await cliOk(v, "detach-role-policy", "--role-name", role, "--policy-arn", policy.Policy.Arn);
    await cliOk(v, "delete-role-policy", "--role-name", role, "--policy-name", "read");
    await cliOk(v, "delete-policy", "--policy-arn", policy.Policy.Arn);
    await cliOk(v, "delete-role", "--role-name", role);
    const gone = await cli(v, "get-role", "--role-name", role);
    expect(gone.stderr).toContain("NoSuchEntity");
  });
});

describe("IAM through @aws-sdk/client-iam", () => {
  it("creates, lists by pages, reads and deletes roles and policies", async () => {
    const names = [uniqueName("sdk-a"), uniqueName("sdk-b"), uniqueName("sdk-c")];
    for (const RoleName of names) {
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: LAMBDA_TRUST, Path: "/sdk/" }));
    }
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ PathPrefix: "/sdk/", MaxItems: 1, Marker }));
      expect(page.Roles?.length).toBe(1);
      seen.push(...(page.Roles ?? []).map((r) => r.RoleName as string));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    expect(seen).toEqual([...names].sort());
    const got = await iam.send(new GetRoleCommand({ RoleName: names[0] }));
    expect(got.Role?.Path).toBe("/sdk/");
    expect(JSON.parse(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? ""))).toEqual(JSON.parse(LAMBDA_TRUST));

    const doc = allow("lambda:Invoke*", "*");
    await iam.send(new PutRolePolicyCommand({ RoleName: names[0], PolicyName: "inv", PolicyDocument: doc }));
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: names[0], PolicyName: "inv" }));
    expect(decodeURIComponent(inline.PolicyDocument ?? "")).toBe(doc);
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: uniqueName("sdk-p"), PolicyDocument: doc }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: names[0], PolicyArn: policy.Policy?.Arn }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: names[0] }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([policy.Policy?.Arn]);
    expect(await errorName(iam.send(new DeleteRoleCommand({ RoleName: names[0] })))).toBe("DeleteConflictException");
    // What Terraform asks before deleting a role and a policy: no instance profiles, one version.
    const profiles = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: names[0] }));
    expect({ profiles: profiles.InstanceProfiles, truncated: profiles.IsTruncated }).toEqual({
      profiles: [],
      truncated: false,
    });
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.Policy?.Arn }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v1", true]]);
    expect(versions.Versions?.[0]?.CreateDate).toEqual(policy.Policy?.CreateDate);
    await iam.send(new DetachRolePolicyCommand({ RoleName: names[0], PolicyArn: policy.Policy?.Arn }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: names[0], PolicyName: "inv" }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: policy.Policy?.Arn }));
    for (const RoleName of names) await iam.send(new DeleteRoleCommand({ RoleName }));
    expect(await errorName(iam.send(new GetRoleCommand({ RoleName: names[0] })))).toBe("NoSuchEntityException");
  });

  it("tags a role at create and after (SDK); another account's role is not found", async () => {
    const RoleName = uniqueName("sdk-tags");
    const tagsOf = async () => (await iam.send(new GetRoleCommand({ RoleName }))).Role?.Tags;
    const made = await iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        Tags: [{ Key: "team", Value: "core" }],
      }),
    );
    expect(made.Role?.Tags).toEqual([{ Key: "team", Value: "core" }]);
    await iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: "__proto__", Value: "p" }] }));
    expect(await tagsOf()).toEqual([
      { Key: "__proto__", Value: "p" },
      { Key: "team", Value: "core" },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName, TagKeys: ["__proto__", "team"] }));
    await iam.send(new UpdateRoleCommand({ RoleName, Description: "updated", MaxSessionDuration: 3600 * 2 }));
    const notLambda = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: notLambda }));
    const updated = (await iam.send(new GetRoleCommand({ RoleName }))).Role;
    expect({ description: updated?.Description, session: updated?.MaxSessionDuration }).toEqual({
      description: "updated",
      session: 7200,
    });
    expect(JSON.parse(decodeURIComponent(updated?.AssumeRolePolicyDocument ?? ""))).toEqual(JSON.parse(notLambda));
    expect(await tagsOf()).toBeUndefined();
    expect((await iam.send(new ListRoleTagsCommand({ RoleName }))).Tags).toEqual([]);
    const duplicate = iam.send(
      new TagRoleCommand({
        RoleName,
        Tags: [
          { Key: "a", Value: "1" },
          { Key: "A", Value: "2" },
        ],
      }),
    );
    expect(await errorName(duplicate)).toBe("InvalidInputException");
    await iam.send(new DeleteRoleCommand({ RoleName }));
  });

  it("refuses a malformed policy document and stores nothing", async () => {
    const RoleName = uniqueName("malformed");
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: LAMBDA_TRUST }));
    const bad = [
      "{not json",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Perhaps", Action: "lambda:*", Resource: "*" }] }),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "InvokeFunction", Resource: "*" }],
      }),
    ];
    for (const PolicyDocument of bad) {
      const put = iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: "bad", PolicyDocument }));
      expect(await errorName(put)).toBe("MalformedPolicyDocumentException");
      const create = iam.send(new CreatePolicyCommand({ PolicyName: `${RoleName}-bad`, PolicyDocument }));
      expect(await errorName(create)).toBe("MalformedPolicyDocumentException");
    }
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames).toEqual([]);
    await iam.send(new DeleteRoleCommand({ RoleName }));
  });
});

/** A Node handler that invokes `event.target` with the AWS SDK, configured by nothing but its environment. */
async function sdkCallerZip(): Promise<string> {
  return bundleHandler(`
        const { LambdaClient, InvokeCommand } = require("@aws-sdk/client-lambda");
        const client = new LambdaClient({});
        exports.handler = async (event) => {
          try {
            const out = await client.send(new InvokeCommand({ FunctionName: event.target, Payload: JSON.stringify({ from: "a" }) }));
            return { ok: JSON.parse(Buffer.from(out.Payload).toString()) };
          } catch (err) {
            return { error: err.name, message: err.message, status: err.$metadata && err.$metadata.httpStatusCode };
          }
        };
        exports.env = () => process.env;
      `);
}

describe("a function with an execution role", () => {
  it("refuses a role that does not exist, does not trust Lambda, or is another account's once the account has roles", async () => {
    const account = stack.credentials.accountId;
    const unknownRole = `arn:aws:iam::${account}:role/${uniqueName("nope")}`;
    // A role Lambda may not assume: its trust policy names another service.
    const statesOnly = LAMBDA_TRUST.replace("lambda.amazonaws.com", "states.amazonaws.com");
    const RoleName = uniqueName("states");
    const other = await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: statesOnly }));
    for (const Role of [unknownRole, other.Role?.Arn, ROLE]) {
      const made = deployFunction(stack, {
        runtime: "nodejs20.x",
        handler: "index.handler",
        files: { "index.js": "exports.handler = async () => 1;" },
        config: { Role },
      });
      await expect(made).rejects.toMatchObject({
        name: "InvalidParameterValueException",
        message: "The role defined for the function cannot be assumed by Lambda.",
      });
    }
  });

  it("calls the one function its role allows with the SDK, and is refused the others", async () => {
    const account = stack.credentials.accountId;
    // The account has roles now (the test before): every function names one of them.
    const roleName = uniqueName("caller");
    const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: LAMBDA_TRUST }));
    const echo = { "index.js": "exports.handler = async (e) => ({ echoed: e });" };
    const withRole = { Role: role.Role?.Arn };
    const b = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: echo,
      config: withRole,
    });
    const c = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: echo,
      config: withRole,
    });
    const bArn = `arn:aws:lambda:${stack.region}:${account}:function:${b}`;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: "invoke-b",
        PolicyDocument: allow("lambda:InvokeFunction", bArn),
      }),
    );
    const a = await deployWithRole(stack, await sdkCallerZip(), role.Role?.Arn);

    const allowed = await invokeFunction(stack, a, { target: b });
    expect(allowed.body).toEqual({ ok: { echoed: { from: "a" } } });

    const refused = await invokeFunction(stack, a, { target: c });
    expect(refused.body).toMatchObject({
      error: "AccessDeniedException",
      status: 403,
      message: expect.stringContaining(
        `is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:${stack.region}:${account}:function:${c}`,
      ),
    });
    // Its own configuration is not within its role either.
    const self = await invokeFunction(stack, a, { target: a });
    expect(self.body).toMatchObject({ error: "AccessDeniedException" });

    // The credentials are the container's, never the function's configuration.
    const config = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: a }));
    expect(JSON.stringify(config)).not.toMatch(/ASIA|AWS_SESSION_TOKEN|AWS_SECRET_ACCESS_KEY/);
  });

  it("judges a role's session by its tags (aws:PrincipalTag), as they are now", async () => {
    const account = stack.credentials.accountId;
    const roleName = uniqueName("tagged");
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: LAMBDA_TRUST,
        Tags: [{ Key: "team", Value: "blue" }],
      }),
    );
    const b = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": "exports.handler = async (e) => ({ echoed: e });" },
      config: { Role: role.Role?.Arn },
    });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: "blue-team-invokes",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "lambda:InvokeFunction",
              Resource: `arn:aws:lambda:${stack.region}:${account}:function:${b}`,
              Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } },
            },
          ],
        }),
      }),
    );
    const a = await deployWithRole(stack, await sdkCallerZip(), role.Role?.Arn);
    expect((await invokeFunction(stack, a, { target: b })).body).toEqual({ ok: { echoed: { from: "a" } } });
    // Retagged, the condition no longer holds: the same session is refused at once.
    await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: [{ Key: "team", Value: "red" }] }));
    expect((await invokeFunction(stack, a, { target: b })).body).toMatchObject({ error: "AccessDeniedException" });
    await iam.send(new UntagRoleCommand({ RoleName: roleName, TagKeys: ["team"] }));
    expect((await invokeFunction(stack, a, { target: b })).body).toMatchObject({ error: "AccessDeniedException" });
  });

  it("gives no credentials to a function whose Role names no Stratus role, in an account without roles", async () => {
    const other = await stack.newAccount(uniqueName("noroles"));
    const lambda = stack.clientFor(other);
    const name = uniqueName("plain");
    const source =
      "exports.handler = async () => ({ key: process.env.AWS_ACCESS_KEY_ID || null, lambda: process.env.AWS_ENDPOINT_URL_LAMBDA || null });";
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "index.handler",
        Code: { ZipFile: await makeZip({ "index.js": source }) },
      }),
    );
    await waitFor(
      async () =>
        (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State === "Active" ||
        undefined,
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
    const body = JSON.parse(Buffer.from(out.Payload ?? []).toString());
    expect(body.key).toBeNull();
    expect(body.lambda).toMatch(/^http:\/\/[\d.]+:\d+$/);
    // Once the account has a role, a Role it cannot assume is refused on update too.
    const iamOther = new IAMClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: other,
      maxAttempts: 1,
    });
    await iamOther.send(
      new CreateRoleCommand({ RoleName: uniqueName("first"), AssumeRolePolicyDocument: LAMBDA_TRUST }),
    );
    const update = lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role: ROLE }));
    await expect(update).rejects.toMatchObject({ name: "InvalidParameterValueException" });
    iamOther.destroy();
  });

  it("refuses a session token it did not mint", async () => {
    const forged = new LambdaClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: {
        accessKeyId: "ASIAAAAAAAAAAAAAAAAA",
        secretAccessKey: "x".repeat(40),
        sessionToken: "STRATUS1.e30.AAAA",
      },
      maxAttempts: 1,
    });
    await expect(forged.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
      $metadata: { httpStatusCode: 403 },
    });
    forged.destroy();
  });
});
