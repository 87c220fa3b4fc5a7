// Managed policies as Terraform and Lambda's guides use them. AWS managed ones
// (Stratus's catalog): looked up by name through ListPolicies, read with GetPolicy and
// GetPolicyVersion, attached to a role and listed beside a customer managed one (the
// AWS CLI), and judged on a user's key (the SDK): AWSLambdaRole may invoke but not
// read, and PowerUserAccess's NotAction keeps IAM out of reach. A customer managed
// policy's versions (the CLI and the SDK): its default version is what judges.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteUserCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  type Policy,
  SetDefaultPolicyVersionCommand,
} from "@aws-sdk/client-iam";
import { GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction, uniqueName } from "./helpers/functions.js";
import { errorName, LAMBDA_TRUST } from "./helpers/iam.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const aws = useAwsCli(stack, "stratus-iam-managed-");
const { json: iam, silent, failure } = cliCommands(aws, "iam");
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const BASIC_DOC = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
  ],
};

let sdk: IAMClient;
/** Deployed before the account has roles (any Role is taken then). */
let echo: string;

beforeAll(async () => {
  sdk = new IAMClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
    maxAttempts: 1,
  });
  echo = await deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.js": "exports.handler = async (e) => ({ echoed: e });" },
  });
}, 120_000);

afterAll(() => sdk?.destroy());

/** A new access key of user `UserName`: its credentials. */
async function keyOf(UserName: string) {
  const key = (await sdk.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId as string, secretAccessKey: key?.SecretAccessKey as string };
}

type Keys = Awaited<ReturnType<typeof keyOf>>;
const signedAs = (credentials: Keys, region = stack.region) => ({
  endpoint: stack.endpoint,
  region,
  credentials,
  maxAttempts: 1,
});

describe("AWS managed policies through the AWS CLI", () => {
  it("finds AWSLambdaBasicExecutionRole by name, reads it, attaches it to a role and counts it", async () => {
    // Terraform's data "aws_iam_policy" { name = ... } lists every policy and picks by name.
    const all = await iam<{ Policies: Policy[] }>("list-policies", "--page-size", "3");
    const basic = all.Policies.find((p) => p.PolicyName === "AWSLambdaBasicExecutionRole");
    expect(basic).toMatchObject({
      Arn: BASIC,
      Path: "/service-role/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      IsAttachable: true,
      PolicyId: expect.stringMatching(/^ANPA[A-Z2-7]{17}$/),
    });
    const serviceRole = await iam<{ Policies: Policy[] }>(
      ...["list-policies", "--scope", "AWS", "--path-prefix", "/service-role/"],
    );
    expect(serviceRole.Policies.map((p) => p.PolicyName)).toContain("AWSLambdaBasicExecutionRole");
    expect(serviceRole.Policies.every((p) => p.Path === "/service-role/")).toBe(true);
    expect(await iam("get-policy", "--policy-arn", BASIC)).toEqual({
      Policy: { ...basic, Description: expect.any(String) },
    });
    expect(await iam("get-policy-version", "--policy-arn", BASIC, "--version-id", "v1")).toEqual({
      PolicyVersion: { Document: BASIC_DOC, VersionId: "v1", IsDefaultVersion: true, CreateDate: basic?.CreateDate },
    });
    expect(await iam("list-policy-versions", "--policy-arn", BASIC)).toEqual({
      Versions: [{ VersionId: "v1", IsDefaultVersion: true, CreateDate: basic?.CreateDate }],
    });

    const role = uniqueName("aws-managed");
    await iam("create-role", "--role-name", role, "--assume-role-policy-document", LAMBDA_TRUST);
    const local = await iam<{ Policy: Policy }>(
      ...["create-policy", "--policy-name", uniqueName("mine"), "--policy-document", JSON.stringify(BASIC_DOC)],
    );
    await silent("attach-role-policy", "--role-name", role, "--policy-arn", BASIC);
    await silent("attach-role-policy", "--role-name", role, "--policy-arn", BASIC); // idempotent, as IAM's
    await silent("attach-role-policy", "--role-name", role, "--policy-arn", local.Policy.Arn as string);
    const attached = await iam<{ AttachedPolicies: unknown[] }>("list-attached-role-policies", "--role-name", role);
    expect(attached.AttachedPolicies).toEqual(
      expect.arrayContaining([
        { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC },
        { PolicyName: local.Policy.PolicyName, PolicyArn: local.Policy.Arn },
      ]),
    );
    expect(attached.AttachedPolicies).toHaveLength(2);
    const underServiceRole = await iam<{ AttachedPolicies: unknown[] }>(
      ...["list-attached-role-policies", "--role-name", role, "--path-prefix", "/service-role/"],
    );
    expect(underServiceRole.AttachedPolicies).toEqual([
      { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC },
    ]);
    expect(await iam("get-policy", "--policy-arn", BASIC)).toMatchObject({ Policy: { AttachmentCount: 1 } });
    const onlyAttached = await iam<{ Policies: Policy[] }>("list-policies", "--scope", "AWS", "--only-attached");
    expect(onlyAttached.Policies.map((p) => p.Arn)).toEqual([BASIC]);

    expect(await failure("delete-role", "--role-name", role)).toMatch(/\(DeleteConflict\)/);
    // An AWS policy Stratus does not carry, or a wrong path to one it does: not found, by name.
    expect(
      await failure(
        "attach-role-policy",
        "--role-name",
        role,
        "--policy-arn",
        "arn:aws:iam::aws:policy/AWSNoSuchThing",
      ),
    ).toMatch(/\(NoSuchEntity\).*AWSNoSuchThing does not exist or is not attachable/);
    expect(await failure("get-policy", "--policy-arn", "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")).toMatch(
      /\(NoSuchEntity\)/,
    );
    expect(await failure("get-policy-version", "--policy-arn", BASIC, "--version-id", "v2")).toMatch(
      /\(NoSuchEntity\).*version v2 does not exist/,
    );
    // Another account's "policy" cannot pose as AWS's.
    expect(await failure("delete-policy", "--policy-arn", BASIC)).toMatch(/\(NoSuchEntity\)|\(InvalidInput\)/);

    await silent("detach-role-policy", "--role-name", role, "--policy-arn", BASIC);
    expect(await failure("detach-role-policy", "--role-name", role, "--policy-arn", BASIC)).toMatch(/\(NoSuchEntity\)/);
    await silent("detach-role-policy", "--role-name", role, "--policy-arn", local.Policy.Arn as string);
    expect(await iam("get-policy", "--policy-arn", BASIC)).toMatchObject({ Policy: { AttachmentCount: 0 } });
    await silent("delete-role", "--role-name", role);
    await silent("delete-policy", "--policy-arn", local.Policy.Arn as string);
  });
});

describe("AWS managed policies through the SDK", () => {
  it("lists AWS's then the account's a page at a time, and judges a user's key by the AWS policies attached", async () => {
    const mine = await sdk.send(
      new CreatePolicyCommand({
        PolicyName: uniqueName("aaa-local"),
        PolicyDocument: JSON.stringify(BASIC_DOC),
      }),
    );
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await sdk.send(new ListPoliciesCommand({ Scope: "All", MaxItems: 4, Marker }));
      expect(page.Policies?.length ?? 0).toBeLessThanOrEqual(4);
      names.push(...(page.Policies ?? []).map((p) => p.Arn as string));
      Marker = page.IsTruncated ? page.Marker : undefined;
    } while (Marker);
    const awsOnes = names.filter((a) => a.startsWith("arn:aws:iam::aws:"));
    expect(awsOnes).toContain(BASIC);
    expect(awsOnes).toContain("arn:aws:iam::aws:policy/AdministratorAccess");
    // AWS's first, each once, then the account's.
    expect(new Set(names).size).toBe(names.length);
    expect(names.indexOf(mine.Policy?.Arn as string)).toBeGreaterThan(names.indexOf(awsOnes.at(-1) as string));
    expect((await sdk.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy?.Arn).toBe(BASIC);

    const UserName = uniqueName("aws-managed");
    await sdk.send(new CreateUserCommand({ UserName }));
    const creds = await keyOf(UserName);
    const asUser = new LambdaClient(signedAs(creds));
    const iamAsUser = new IAMClient(signedAs(creds));
    const attach = (PolicyArn: string) => sdk.send(new AttachUserPolicyCommand({ UserName, PolicyArn }));
    const detach = (PolicyArn: string) => sdk.send(new DetachUserPolicyCommand({ UserName, PolicyArn }));
    const invokes = async () =>
      (await asUser.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from("{}") }))).StatusCode === 200;
    try {
      expect(await errorName(asUser.send(new InvokeCommand({ FunctionName: echo })))).toBe("AccessDeniedException");
      const ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole";
      await attach(ROLE);
      expect((await sdk.send(new ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies).toEqual([
        { PolicyName: "AWSLambdaRole", PolicyArn: ROLE },
      ]);
      // AWSLambdaRole: lambda:InvokeFunction on every function, nothing else.
      await waitFor(async () => (await invokes().catch(() => false)) || undefined);
      expect(await errorName(asUser.send(new GetFunctionCommand({ FunctionName: echo })))).toBe(
        "AccessDeniedException",
      );
      // PowerUserAccess: all but IAM (its NotAction), so Lambda reads but no user is made.
      const POWER = "arn:aws:iam::aws:policy/PowerUserAccess";
      await attach(POWER);
      await waitFor(async () => ((await asUser.send(new ListFunctionsCommand({}))).Functions ? true : undefined));
      expect(await errorName(iamAsUser.send(new CreateUserCommand({ UserName: uniqueName("no") })))).toBe(
        "AccessDenied",
      );
      // Deleting the user is refused while AWS policies are attached to it.
      expect(await errorName(sdk.send(new DeleteUserCommand({ UserName })))).toBe("DeleteConflictException");
      await detach(POWER);
      await detach(ROLE);
      await waitFor(
        async () =>
          (await errorName(asUser.send(new InvokeCommand({ FunctionName: echo })))) === "AccessDeniedException" ||
          undefined,
      );
    } finally {
      asUser.destroy();
      iamAsUser.destroy();
    }
    await sdk.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: creds.accessKeyId }));
    await sdk.send(new DeleteUserCommand({ UserName }));
  });
});

describe("a customer managed policy's versions", () => {
  const doc = (Action: string) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource: "*" }] });

  it("through the AWS CLI: up to five, one default, the default never deleted, the policy only with one left", async () => {
    const made = await iam<{ Policy: Policy }>(
      ...["create-policy", "--policy-name", uniqueName("versioned"), "--policy-document", doc("lambda:GetFunction")],
    );
    const arn = made.Policy.Arn as string;
    const v2 = await iam<{ PolicyVersion: Record<string, unknown> }>(
      ...["create-policy-version", "--policy-arn", arn, "--policy-document", doc("lambda:InvokeFunction")],
      "--set-as-default",
    );
    expect(v2).toEqual({
      PolicyVersion: { VersionId: "v2", IsDefaultVersion: true, CreateDate: expect.stringMatching(/^\d{4}-/) },
    });
    const got = await iam<{ Policy: Policy }>("get-policy", "--policy-arn", arn);
    expect(got.Policy).toMatchObject({ DefaultVersionId: "v2", UpdateDate: v2.PolicyVersion.CreateDate });
    expect(await iam("get-policy-version", "--policy-arn", arn, "--version-id", "v1")).toMatchObject({
      PolicyVersion: { VersionId: "v1", IsDefaultVersion: false, Document: JSON.parse(doc("lambda:GetFunction")) },
    });
    expect(await iam("get-policy-version", "--policy-arn", arn, "--version-id", "v2")).toMatchObject({
      PolicyVersion: { VersionId: "v2", IsDefaultVersion: true, Document: JSON.parse(doc("lambda:InvokeFunction")) },
    });
    for (const n of [3, 4, 5]) {
      const v = await iam<{ PolicyVersion: { VersionId: string; IsDefaultVersion: boolean } }>(
        ...["create-policy-version", "--policy-arn", arn, "--policy-document", doc(`lambda:Get${n}`)],
      );
      expect(v.PolicyVersion).toMatchObject({ VersionId: `v${n}`, IsDefaultVersion: false });
    }
    const listed = await iam<{ Versions: Array<{ VersionId: string; IsDefaultVersion: boolean }> }>(
      ...["list-policy-versions", "--policy-arn", arn],
    );
    expect(listed.Versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v5", false],
      ["v4", false],
      ["v3", false],
      ["v2", true],
      ["v1", false],
    ]);
    expect(
      await failure("create-policy-version", "--policy-arn", arn, "--policy-document", doc("lambda:Get6")),
    ).toMatch(/\(LimitExceeded\).*up to 5 versions/);
    // A malformed document, a version that is not one, AWS's policy: refused, nothing changed.
    expect(await failure("create-policy-version", "--policy-arn", arn, "--policy-document", "{}")).toMatch(
      /\(MalformedPolicyDocument\)/,
    );
    expect(await failure("get-policy-version", "--policy-arn", arn, "--version-id", "2")).toMatch(
      /\(ValidationError\)/,
    );
    expect(
      await failure("create-policy-version", "--policy-arn", BASIC, "--policy-document", doc("lambda:GetFunction")),
    ).toMatch(/\(InvalidInput\).*AWS managed policy/);
    expect(await failure("delete-policy-version", "--policy-arn", arn, "--version-id", "v2")).toMatch(
      /\(DeleteConflict\).*default version/,
    );
    await silent("set-default-policy-version", "--policy-arn", arn, "--version-id", "v1");
    await silent("delete-policy-version", "--policy-arn", arn, "--version-id", "v2");
    expect(await failure("get-policy-version", "--policy-arn", arn, "--version-id", "v2")).toMatch(
      /\(NoSuchEntity\).*version v2 does not exist/,
    );
    expect(await failure("set-default-policy-version", "--policy-arn", arn, "--version-id", "v2")).toMatch(
      /\(NoSuchEntity\)/,
    );
    // Numbers are never reused: the next is v6.
    const v6 = await iam<{ PolicyVersion: { VersionId: string } }>(
      ...["create-policy-version", "--policy-arn", arn, "--policy-document", doc("lambda:Get6")],
    );
    expect(v6.PolicyVersion.VersionId).toBe("v6");
    expect(await failure("delete-policy", "--policy-arn", arn)).toMatch(/\(DeleteConflict\).*non-default versions/);
    for (const v of ["v3", "v4", "v5", "v6"])
      await silent("delete-policy-version", "--policy-arn", arn, "--version-id", v);
    expect(await iam("list-policy-versions", "--policy-arn", arn)).toEqual({
      Versions: [{ VersionId: "v1", IsDefaultVersion: true, CreateDate: made.Policy.CreateDate }],
    });
    await silent("delete-policy", "--policy-arn", arn);
  });

  it("through the SDK: a user's key is judged by whichever version is the default, at once", async () => {
    const made = await sdk.send(
      new CreatePolicyCommand({ PolicyName: uniqueName("judged"), PolicyDocument: doc("lambda:GetFunction") }),
    );
    const PolicyArn = made.Policy?.Arn as string;
    const UserName = uniqueName("versions");
    await sdk.send(new CreateUserCommand({ UserName }));
    await sdk.send(new AttachUserPolicyCommand({ UserName, PolicyArn }));
    const creds = await keyOf(UserName);
    const asUser = new LambdaClient(signedAs(creds));
    const reads = async () => {
      const outcome = await errorName(asUser.send(new GetFunctionCommand({ FunctionName: echo })));
      return outcome === "resolved" ? "ok" : outcome;
    };
    try {
      await waitFor(async () => ((await reads()) === "ok" ? true : undefined));
      const v2 = await sdk.send(
        new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: doc("lambda:InvokeFunction"), SetAsDefault: true }),
      );
      expect(v2.PolicyVersion).toMatchObject({ VersionId: "v2", IsDefaultVersion: true });
      // The control plane that changed it judges by the new default at once.
      expect(await reads()).toBe("AccessDeniedException");
      const invoked = await asUser.send(new InvokeCommand({ FunctionName: echo, Payload: Buffer.from("{}") }));
      expect(invoked.StatusCode).toBe(200);
      await sdk.send(new SetDefaultPolicyVersionCommand({ PolicyArn, VersionId: "v1" }));
      expect(await reads()).toBe("ok");
      const versions = await sdk.send(new ListPolicyVersionsCommand({ PolicyArn, MaxItems: 1 }));
      expect(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v2", false]]);
      const rest = await sdk.send(new ListPolicyVersionsCommand({ PolicyArn, Marker: versions.Marker }));
      expect(rest.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v1", true]]);
      expect(rest.IsTruncated).toBe(false);
      const v1 = await sdk.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: "v1" }));
      expect(JSON.parse(decodeURIComponent(v1.PolicyVersion?.Document as string))).toEqual(
        JSON.parse(doc("lambda:GetFunction")),
      );
      await sdk.send(new DeletePolicyVersionCommand({ PolicyArn, VersionId: "v2" }));
    } finally {
      asUser.destroy();
    }
    await sdk.send(new DetachUserPolicyCommand({ UserName, PolicyArn }));
    await sdk.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: creds.accessKeyId }));
    await sdk.send(new DeleteUserCommand({ UserName }));
    await sdk.send(new DeletePolicyCommand({ PolicyArn }));
  });
});

describe("policy conditions", () => {
  it("judges a user's key by its policies' conditions, and refuses a key Stratus does not supply (CLI and SDK)", async () => {
    const UserName = uniqueName("conditioned");
    await sdk.send(new CreateUserCommand({ UserName }));
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "lambda:*",
          Resource: "*",
          Condition: {
            StringEquals: { "aws:RequestedRegion": stack.region, "aws:PrincipalType": "User" },
            StringLike: { "aws:username": "conditioned-*" },
            Bool: { "aws:SecureTransport": "false" },
            DateLessThan: { "aws:CurrentTime": "2100-01-01T00:00:00Z" },
          },
        },
        // The tests call from loopback, which is not in 10.0.0.0/8: this Deny applies.
        {
          Effect: "Deny",
          Action: "lambda:ListFunctions",
          Resource: "*",
          Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
        },
        // A Deny whose condition cannot hold does nothing.
        {
          Effect: "Deny",
          Action: "lambda:GetFunction",
          Resource: "*",
          Condition: { DateLessThan: { "aws:CurrentTime": "2001-01-01T00:00:00Z" } },
        },
      ],
    };
    const refused = await failure(
      ...["put-user-policy", "--user-name", UserName, "--policy-name", "bad", "--policy-document"],
      JSON.stringify({
        Statement: {
          Effect: "Allow",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } },
        },
      }),
    );
    expect(refused).toMatch(/\(MalformedPolicyDocument\).*aws:SourceVpc is not supported by Stratus/);
    await silent(
      ...["put-user-policy", "--user-name", UserName, "--policy-name", "conditioned", "--policy-document"],
      JSON.stringify(policy),
    );
    const creds = await keyOf(UserName);
    const asUser = new LambdaClient(signedAs(creds));
    const elsewhere = new LambdaClient(signedAs(creds, "eu-west-1"));
    try {
      expect((await asUser.send(new GetFunctionCommand({ FunctionName: echo }))).Configuration?.FunctionName).toBe(
        echo,
      );
      expect(await errorName(asUser.send(new ListFunctionsCommand({})))).toBe("AccessDeniedException");
      // Signed for another region, the Allow's aws:RequestedRegion does not hold.
      expect(await errorName(elsewhere.send(new GetFunctionCommand({ FunctionName: echo })))).toBe(
        "AccessDeniedException",
      );
    } finally {
      asUser.destroy();
      elsewhere.destroy();
    }
    await sdk.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: creds.accessKeyId }));
  });
});
