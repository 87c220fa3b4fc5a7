// IAM users and their access keys on a live stack, driven by the AWS CLI (v1 on PATH
// and Debian's v2) and @aws-sdk/client-iam: a user's key is judged by the user's
// inline and attached policies (explicit deny wins, no allow is AccessDenied) while
// the account's own keys keep full rights; an Inactive or deleted key is unknown; a
// user with keys or policies cannot be deleted. And function URLs with AuthType
// AWS_IAM take a role's temporary credentials (a request a function signed with its
// own environment) and a user's key, each judged for lambda:InvokeFunctionUrl.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, invokeFunction, uniqueName } from "./helpers/functions.js";
import { bundleHandler, deployWithRole, errorName, LAMBDA_TRUST } from "./helpers/iam.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let iam: IAMClient;
let dir: string;
/** Deployed before the account has roles (any Role is taken then). */
let echo: string;
let echoArn: string;

const policy = (...statements: Array<{ Effect: "Allow" | "Deny"; Action: string; Resource: string }>) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

beforeAll(async () => {
  iam = new IAMClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
  dir = await mkdtemp(path.join(tmpdir(), "stratus-iam-users-"));
  echo = await deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.js": "exports.handler = async (e) => ({ echoed: e });" },
  });
  echoArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${echo}`;
}, 120_000);

afterAll(async () => {
  iam?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `aws ...` with the CLI on PATH (v1) or Debian's v2, signed with `creds` (the account's own by default). */
function cli(
  version: 1 | 2,
  args: string[],
  creds: { accessKeyId: string; secretAccessKey: string } = stack.credentials,
) {
  const env: Record<string, string> = version === 2 ? { PATH: `/usr/bin:${process.env.PATH}` } : {};
  return runAwsCli({ endpoint: stack.endpoint, region: stack.region, credentials: creds }, dir, args, env);
}

async function cliOk(version: 1 | 2, args: string[], creds?: { accessKeyId: string; secretAccessKey: string }) {
  const r = await cli(version, args, creds);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

describe("IAM users through the AWS CLI", () => {
  it.each([1, 2] as const)("v%i: a user's key does what its policies allow and nothing else", async (v) => {
    const user = uniqueName("cli-user");
    const created = (await cliOk(v, ["iam", "create-user", "--user-name", user])) as { User: { Arn: string } };
    expect(created.User.Arn).toBe(`arn:aws:iam::${stack.credentials.accountId}:user/${user}`);
    expect((await cli(v, ["iam", "create-user", "--user-name", user])).stderr).toContain("EntityAlreadyExists");
    const made = (await cliOk(v, ["iam", "create-access-key", "--user-name", user])) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string; UserName: string };
    };
    expect(made.AccessKey).toMatchObject({ Status: "Active", UserName: user });
    const keys = { accessKeyId: made.AccessKey.AccessKeyId, secretAccessKey: made.AccessKey.SecretAccessKey };
    const listed = (await cliOk(v, ["iam", "list-access-keys", "--user-name", user])) as {
      AccessKeyMetadata: Array<Record<string, unknown>>;
    };
    expect(listed.AccessKeyMetadata).toEqual([
      expect.objectContaining({ AccessKeyId: keys.accessKeyId, Status: "Active", UserName: user }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(keys.secretAccessKey);

    // No policy yet: refused, in Lambda's error shape.
    const out = path.join(dir, `out-${v}.json`);
    const bare = await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain("AccessDeniedException");
    expect(bare.stderr).toContain(`User: arn:aws:iam::${stack.credentials.accountId}:user/${user} is not authorized`);

    const allowInvoke = policy({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: echoArn });
    await cliOk(v, [
      "iam",
      "put-user-policy",
      "--user-name",
      user,
      "--policy-name",
      "inv",
      "--policy-document",
      allowInvoke,
    ]);
    expect(await cliOk(v, ["iam", "get-user-policy", "--user-name", user, "--policy-name", "inv"])).toMatchObject({
      UserName: user,
      PolicyDocument: JSON.parse(allowInvoke),
    });
    expect(await cliOk(v, ["iam", "list-user-policies", "--user-name", user])).toMatchObject({ PolicyNames: ["inv"] });
    await waitFor(
      async () => (await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys)).code === 0 || undefined,
    );
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ echoed: {} });
    // What the policy does not name stays refused: listing functions, and IAM itself.
    const list = await cli(v, ["lambda", "list-functions"], keys);
    expect(list.stderr).toContain("AccessDeniedException");
    const escalate = await cli(
      v,
      [
        "iam",
        "put-user-policy",
        "--user-name",
        user,
        "--policy-name",
        "all",
        "--policy-document",
        policy({ Effect: "Allow", Action: "*", Resource: "*" }),
      ],
      keys,
    );
    expect(escalate.stderr).toContain("AccessDenied");
    // An explicit deny wins over the allow.
    const deny = policy({ Effect: "Deny", Action: "lambda:*", Resource: "*" });
    await cliOk(v, ["iam", "put-user-policy", "--user-name", user, "--policy-name", "deny", "--policy-document", deny]);
    await waitFor(
      async () =>
        (await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys)).stderr.includes("explicit deny") ||
        undefined,
    );
    await cliOk(v, ["iam", "delete-user-policy", "--user-name", user, "--policy-name", "deny"]);
    await waitFor(
      async () => (await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys)).code === 0 || undefined,
    );

    // An Inactive key is not known; made Active again it works.
    await cliOk(v, [
      "iam",
      "update-access-key",
      "--user-name",
      user,
      "--access-key-id",
      keys.accessKeyId,
      "--status",
      "Inactive",
    ]);
    const inactive = await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys);
    expect(inactive.code).not.toBe(0);
    expect(inactive.stderr).toMatch(/UnrecognizedClientException|InvalidSignatureException/);
    await cliOk(v, [
      "iam",
      "update-access-key",
      "--user-name",
      user,
      "--access-key-id",
      keys.accessKeyId,
      "--status",
      "Active",
    ]);
    await cliOk(v, ["lambda", "invoke", "--function-name", echo, out], keys);

    // Not deleted while it has a key, then while it has a policy.
    expect((await cli(v, ["iam", "delete-user", "--user-name", user])).stderr).toContain("DeleteConflict");
    await cliOk(v, ["iam", "delete-access-key", "--user-name", user, "--access-key-id", keys.accessKeyId]);
    expect((await cli(v, ["lambda", "invoke", "--function-name", echo, out], keys)).code).not.toBe(0);
    expect((await cli(v, ["iam", "delete-user", "--user-name", user])).stderr).toContain("DeleteConflict");
    await cliOk(v, ["iam", "delete-user-policy", "--user-name", user, "--policy-name", "inv"]);
    await cliOk(v, ["iam", "delete-user", "--user-name", user]);
    expect((await cli(v, ["iam", "get-user", "--user-name", user])).stderr).toContain("NoSuchEntity");
  });
});

describe("IAM users through @aws-sdk/client-iam", () => {
  it("manages users, their policies and keys, and judges the keys by managed policies too", async () => {
    const names = [uniqueName("sdk-a"), uniqueName("sdk-b"), uniqueName("sdk-c")];
    for (const UserName of names) await iam.send(new CreateUserCommand({ UserName, Path: "/team/" }));
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam.send(new ListUsersCommand({ PathPrefix: "/team/", MaxItems: 1, Marker }));
      expect(page.Users?.length).toBe(1);
      seen.push(...(page.Users ?? []).map((u) => u.UserName as string));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    expect(seen).toEqual([...names].sort());
    const UserName = names[0] as string;
    const got = await iam.send(new GetUserCommand({ UserName }));
    expect(got.User).toMatchObject({
      Path: "/team/",
      Arn: `arn:aws:iam::${stack.credentials.accountId}:user/team/${UserName}`,
    });
    expect(got.User?.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    // In no group: Stratus has none (Terraform's aws_iam_user lists them before DeleteUser).
    expect(await iam.send(new ListGroupsForUserCommand({ UserName }))).toMatchObject({
      Groups: [],
      IsTruncated: false,
    });
    expect(await errorName(iam.send(new ListGroupsForUserCommand({ UserName: `${UserName}-none` })))).toBe(
      "NoSuchEntityException",
    );

    // A managed policy, attached: GetFunction on the echo function, and GetUser on itself.
    const doc = policy(
      { Effect: "Allow", Action: "lambda:GetFunction", Resource: echoArn },
      { Effect: "Allow", Action: "iam:GetUser", Resource: "*" },
    );
    const managed = await iam.send(
      new CreatePolicyCommand({ PolicyName: uniqueName("read-echo"), PolicyDocument: doc }),
    );
    const PolicyArn = managed.Policy?.Arn as string;
    await iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn }));
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([PolicyArn]);
    expect(await errorName(iam.send(new DeletePolicyCommand({ PolicyArn })))).toBe("DeleteConflictException");

    const key = await iam.send(new CreateAccessKeyCommand({ UserName }));
    expect(key.AccessKey?.SecretAccessKey).toBeTruthy();
    const second = await iam.send(new CreateAccessKeyCommand({ UserName }));
    expect(await errorName(iam.send(new CreateAccessKeyCommand({ UserName })))).toBe("LimitExceededException");
    const listed = await iam.send(new ListAccessKeysCommand({ UserName }));
    expect(listed.AccessKeyMetadata?.map((k) => k.AccessKeyId).sort()).toEqual(
      [key.AccessKey?.AccessKeyId, second.AccessKey?.AccessKeyId].sort(),
    );
    const creds = {
      accessKeyId: key.AccessKey?.AccessKeyId as string,
      secretAccessKey: key.AccessKey?.SecretAccessKey as string,
    };
    const asUser = new LambdaClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: creds,
      maxAttempts: 1,
    });
    const iamAsUser = new IAMClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: creds,
      maxAttempts: 1,
    });
    try {
      const fn = await asUser.send(new GetFunctionCommand({ FunctionName: echo }));
      expect(fn.Configuration?.FunctionArn).toBe(echoArn);
      expect(await errorName(asUser.send(new DeleteFunctionCommand({ FunctionName: echo })))).toBe(
        "AccessDeniedException",
      );
      expect(await errorName(asUser.send(new ListFunctionsCommand({})))).toBe("AccessDeniedException");
      // GetUser with no name is the caller itself; CreateUser is not in its policy.
      const self = await iamAsUser.send(new GetUserCommand({}));
      expect(self.User?.UserName).toBe(UserName);
      // IAM's awsQuery protocol names the refusal AccessDenied.
      expect(await errorName(iamAsUser.send(new CreateUserCommand({ UserName: uniqueName("x") })))).toBe(
        "AccessDenied",
      );
      // The account's own keys keep their full rights.
      expect((await stack.lambda.send(new ListFunctionsCommand({}))).Functions?.length).toBeGreaterThan(0);

      // Detached, the user may do nothing.
      await iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn }));
      await waitFor(
        async () =>
          (await errorName(asUser.send(new GetFunctionCommand({ FunctionName: echo })))) === "AccessDeniedException" ||
          undefined,
      );
    } finally {
      asUser.destroy();
      iamAsUser.destroy();
    }

    await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: "p", PolicyDocument: doc }));
    const inline = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName: "p" }));
    expect(decodeURIComponent(inline.PolicyDocument ?? "")).toBe(doc);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames).toEqual(["p"]);
    const malformed = iam.send(new PutUserPolicyCommand({ UserName, PolicyName: "bad", PolicyDocument: "{nope" }));
    expect(await errorName(malformed)).toBe("MalformedPolicyDocumentException");
    await iam.send(
      new UpdateAccessKeyCommand({ UserName, AccessKeyId: second.AccessKey?.AccessKeyId, Status: "Inactive" }),
    );
    expect(
      (await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata?.map((k) => k.Status).sort(),
    ).toEqual(["Active", "Inactive"]);

    expect(await errorName(iam.send(new DeleteUserCommand({ UserName })))).toBe("DeleteConflictException");
    for (const k of [key, second])
      await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: k.AccessKey?.AccessKeyId }));
    await iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName: "p" }));
    await iam.send(new DeletePolicyCommand({ PolicyArn }));
    for (const name of names) await iam.send(new DeleteUserCommand({ UserName: name }));
    expect(await errorName(iam.send(new GetUserCommand({ UserName })))).toBe("NoSuchEntityException");
    // Without a user name, the account's own keys have no user to act on.
    expect(await errorName(iam.send(new CreateAccessKeyCommand({})))).toBe("ValidationError");
  });
});

/**
 * A handler that signs a POST to the AWS_IAM URL in `event.url` with the function's own
 * environment credentials (its role's temporary ones) and gives back the signed
 * request. The test host sends it: function containers reach the Stratus endpoint
 * but not the URL listener's port on this host (the node's firewall).
 */
async function urlSignerZip(): Promise<string> {
  return bundleHandler(`
        const { SignatureV4 } = require("@smithy/signature-v4");
        const { Hash } = require("@smithy/hash-node");
        exports.handler = async (event) => {
          const url = new URL(event.url);
          const signer = new SignatureV4({
            credentials: {
              accessKeyId: process.env.AWS_ACCESS_KEY_ID,
              secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
              sessionToken: process.env.AWS_SESSION_TOKEN,
            },
            region: process.env.AWS_REGION,
            service: "lambda",
            sha256: Hash.bind(null, "sha256"),
          });
          const body = JSON.stringify({ from: "caller" });
          const signed = await signer.sign({
            method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname,
            query: {}, headers: { host: url.host, "content-type": "application/json" }, body,
          });
          return { headers: signed.headers, body };
        };
      `);
}

/** Sends what a signer function gave back to `url`. */
async function sendSigned(url: string, signed: { headers: Record<string, string>; body: string }) {
  const { host: _host, ...headers } = signed.headers;
  const res = await fetch(url, { method: "POST", headers, body: signed.body });
  return { status: res.status, body: await res.text() };
}

describe("function URLs with AuthType AWS_IAM", () => {
  it("take a role's temporary credentials and a user's key, judged for lambda:InvokeFunctionUrl", async () => {
    const account = stack.credentials.accountId;
    const target = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: {
        "index.js":
          "exports.handler = async (e) => ({ got: JSON.parse(e.body), caller: e.requestContext.authorizer.iam.accessKey, arn: e.requestContext.authorizer.iam.userArn });",
      },
    });
    const url = (
      await stack.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: target, AuthType: "AWS_IAM" }))
    ).FunctionUrl as string;
    const targetArn = `arn:aws:lambda:${stack.region}:${account}:function:${target}`;

    // Two roles: one allowed to call the URL, one allowed only plain invokes.
    const allowedRole = await iam.send(
      new CreateRoleCommand({ RoleName: uniqueName("url-ok"), AssumeRolePolicyDocument: LAMBDA_TRUST }),
    );
    const otherRole = await iam.send(
      new CreateRoleCommand({ RoleName: uniqueName("url-no"), AssumeRolePolicyDocument: LAMBDA_TRUST }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: allowedRole.Role?.RoleName,
        PolicyName: "url",
        PolicyDocument: policy({ Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: targetArn }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: otherRole.Role?.RoleName,
        PolicyName: "invoke",
        PolicyDocument: policy({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: targetArn }),
      }),
    );
    const code = await urlSignerZip();
    const callerOf = (role: string | undefined) => deployWithRole(stack, code, role);
    const allowed = await callerOf(allowedRole.Role?.Arn);
    const refused = await callerOf(otherRole.Role?.Arn);

    type Signed = { headers: Record<string, string>; body: string };
    const ok = await sendSigned(url, (await invokeFunction(stack, allowed, { url })).body as Signed);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({
      got: { from: "caller" },
      caller: expect.stringMatching(/^ASIA/),
      arn: expect.stringMatching(new RegExp(`^arn:aws:sts::${account}:assumed-role/${allowedRole.Role?.RoleName}/`)),
    });
    const no = await sendSigned(url, (await invokeFunction(stack, refused, { url })).body as Signed);
    expect(no.status).toBe(403);
    expect(JSON.parse(no.body)).toEqual({ Message: "Forbidden" });

    // A user's key: refused without the permission, allowed with it.
    const UserName = uniqueName("url-user");
    await iam.send(new CreateUserCommand({ UserName }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName }));
    const creds = {
      accessKeyId: key.AccessKey?.AccessKeyId as string,
      secretAccessKey: key.AccessKey?.SecretAccessKey as string,
      accountId: account,
    } as Credentials;
    const call = () => signedFetch(stack.endpoint, stack.region, creds, url, { method: "POST", body: "{}" });
    expect((await call()).status).toBe(403);
    await iam.send(
      new PutUserPolicyCommand({
        UserName,
        PolicyName: "url",
        PolicyDocument: policy({ Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: targetArn }),
      }),
    );
    const res = await waitFor(async () => {
      const r = await call();
      return r.status === 200 ? r : undefined;
    });
    expect(await res.json()).toMatchObject({
      got: {},
      caller: creds.accessKeyId,
      arn: `arn:aws:iam::${account}:user/${UserName}`,
    });
  });
});
