// The AWS CLI (botocore's awsQuery parsers, not the JS SDK) on IAM past the role walk
// of roles.test.ts: customer managed policies read back by GetPolicy and
// GetPolicyVersion, listed a page at a time and deleted; roles and users listed by path
// a page at a time, a role read and deleted; a managed policy attached to a user,
// listed and detached; each change read back, and IAM's refusals by its error names.
import { describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { LAMBDA_TRUST } from "./helpers/iam.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const aws = useAwsCli(stack, "stratus-cli-iam-");
const { json: iam, silent, failure } = cliCommands(aws, "iam");

const iamArn = (resource: string) => `arn:aws:iam::${stack.credentials.accountId}:${resource}`;
const DOC = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:GetFunction", Resource: "*" }] };
/** IAM's ISO 8601 timestamps, which the CLI shows as IAM sent them. */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

type Policy = { PolicyName: string; Arn: string; AttachmentCount: number } & Record<string, unknown>;

/** A customer managed policy under `path`, made through the CLI. */
async function createPolicy(name: string, path: string, description?: string): Promise<Policy> {
  const made = await iam<{ Policy: Policy }>(
    ...["create-policy", "--policy-name", name, "--path", path, "--policy-document", JSON.stringify(DOC)],
    ...(description ? ["--description", description] : []),
  );
  return made.Policy;
}

describe("IAM managed policies through the AWS CLI", () => {
  it("reads a policy and its version, lists policies by path a page at a time, and deletes one", async () => {
    const path = `/${uniqueName("cli")}/`;
    const made = await createPolicy("reader", path, "reads functions");
    const shape = {
      PolicyName: "reader",
      PolicyId: expect.stringMatching(/^ANPA[A-Z0-9]{17}$/),
      Arn: iamArn(`policy${path}reader`),
      Path: path,
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: "reads functions",
      CreateDate: expect.stringMatching(ISO),
      UpdateDate: expect.stringMatching(ISO),
    };
    expect(made).toEqual(shape);
    expect(await iam("get-policy", "--policy-arn", made.Arn)).toEqual({ Policy: made });
    // The CLI decodes the URL-encoded document back into JSON.
    expect(await iam("get-policy-version", "--policy-arn", made.Arn, "--version-id", "v1")).toEqual({
      PolicyVersion: { Document: DOC, VersionId: "v1", IsDefaultVersion: true, CreateDate: made.CreateDate },
    });
    expect(await failure("get-policy-version", "--policy-arn", made.Arn, "--version-id", "v2")).toMatch(
      /\(NoSuchEntity\).*version v2 does not exist/,
    );
    // Its versions: the one its document was created as (Terraform lists them before a delete).
    expect(await iam("list-policy-versions", "--policy-arn", made.Arn)).toEqual({
      Versions: [{ VersionId: "v1", IsDefaultVersion: true, CreateDate: made.CreateDate }],
    });
    expect(await failure("list-policy-versions", "--policy-arn", iamArn(`policy${path}none`))).toMatch(
      /\(NoSuchEntity\).*was not found/,
    );

    await createPolicy("writer", path);
    await createPolicy("admin", path);
    // One policy a page: the CLI follows Marker while IsTruncated.
    const listed = await iam<{ Policies: Policy[] }>(
      ...["list-policies", "--scope", "Local", "--path-prefix", path, "--page-size", "1"],
    );
    expect(listed.Policies.map((p) => p.PolicyName).sort()).toEqual(["admin", "reader", "writer"]);
    expect(listed.Policies.find((p) => p.PolicyName === "reader")).toEqual(made);
    const page = await iam<{ Policies: Policy[]; NextToken?: string }>(
      ...["list-policies", "--scope", "Local", "--path-prefix", path, "--max-items", "2"],
    );
    expect(page.Policies).toHaveLength(2);
    expect(page.NextToken).toEqual(expect.any(String));
    // (A paginated command shows no IsTruncated or Marker: the CLI's paginator takes them.)
    expect(await iam("list-policies", "--scope", "AWS", "--path-prefix", path)).toEqual({ Policies: [] });

    await silent("delete-policy", "--policy-arn", iamArn(`policy${path}writer`));
    expect(await failure("get-policy", "--policy-arn", iamArn(`policy${path}writer`))).toMatch(
      /\(NoSuchEntity\).*was not found/,
    );
    expect(await failure("delete-policy", "--policy-arn", iamArn(`policy${path}writer`))).toMatch(/\(NoSuchEntity\)/);
    const left = await iam<{ Policies: Policy[] }>("list-policies", "--scope", "Local", "--path-prefix", path);
    expect(left.Policies.map((p) => p.PolicyName).sort()).toEqual(["admin", "reader"]);
  });

  it("refuses a malformed policy ARN and another account's policy", async () => {
    expect(await failure("get-policy", "--policy-arn", "arn:aws:iam::123:not-a-policy")).toMatch(
      /\(InvalidInput\).*is not valid/,
    );
    expect(await failure("get-policy", "--policy-arn", "arn:aws:iam::999999999999:policy/p")).toMatch(
      /\(NoSuchEntity\)/,
    );
    const made = await createPolicy(uniqueName("dup"), "/");
    expect(
      await failure("create-policy", "--policy-name", made.PolicyName, "--policy-document", JSON.stringify(DOC)),
    ).toMatch(/\(EntityAlreadyExists\)/);
    expect(await failure("create-policy", "--policy-name", uniqueName("bad"), "--policy-document", "{}")).toMatch(
      /\(MalformedPolicyDocument\)/,
    );
  });
});

describe("IAM roles through the AWS CLI", () => {
  type Role = { RoleName: string; Arn: string; Path: string } & Record<string, unknown>;

  it("tags a role and a policy at create and after; GetRole and GetPolicy show them, as Terraform reads them", async () => {
    const roleName = uniqueName("tagged");
    const made = await iam<{ Role: Role }>(
      ...["create-role", "--role-name", roleName, "--assume-role-policy-document", LAMBDA_TRUST],
      ...["--tags", "Key=team,Value=core", "Key=env,Value=dev"],
    );
    expect(made.Role.Tags).toEqual([
      { Key: "env", Value: "dev" },
      { Key: "team", Value: "core" },
    ]);
    await silent("tag-role", "--role-name", roleName, "--tags", "Key=env,Value=prod", "Key=app,Value=a");
    await silent("untag-role", "--role-name", roleName, "--tag-keys", "team");
    const tags = [
      { Key: "app", Value: "a" },
      { Key: "env", Value: "prod" },
    ];
    expect((await iam<{ Role: Role }>("get-role", "--role-name", roleName)).Role.Tags).toEqual(tags);
    expect(await iam("list-role-tags", "--role-name", roleName)).toEqual({ Tags: tags });
    expect(await failure("tag-role", "--role-name", roleName, "--tags", "Key=aws:x,Value=y")).toMatch(
      /\(InvalidInput\)/,
    );
    const many = Array.from({ length: 49 }, (_, i) => `Key=k${i},Value=v`);
    expect(await failure("tag-role", "--role-name", roleName, "--tags", ...many)).toMatch(/\(LimitExceeded\)/);
    expect(await iam("list-role-tags", "--role-name", roleName)).toEqual({ Tags: tags });
    expect(await failure("list-role-tags", "--role-name", uniqueName("none"))).toMatch(/\(NoSuchEntity\)/);

    const policy = await iam<{ Policy: Policy }>(
      ...["create-policy", "--policy-name", uniqueName("tagged"), "--policy-document", JSON.stringify(DOC)],
      ...["--tags", "Key=team,Value=core"],
    );
    expect(policy.Policy.Tags).toEqual([{ Key: "team", Value: "core" }]);
    await silent("tag-policy", "--policy-arn", policy.Policy.Arn, "--tags", "Key=tier,Value=gold");
    await silent("untag-policy", "--policy-arn", policy.Policy.Arn, "--tag-keys", "team");
    expect((await iam<{ Policy: Policy }>("get-policy", "--policy-arn", policy.Policy.Arn)).Policy.Tags).toEqual([
      { Key: "tier", Value: "gold" },
    ]);
    // (Paginated commands: the CLI's paginator takes IsTruncated and Marker.)
    expect(await iam("list-policy-tags", "--policy-arn", policy.Policy.Arn)).toEqual({
      Tags: [{ Key: "tier", Value: "gold" }],
    });
    // Its trust policy, description and session length change in place (Terraform's updates).
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: ["lambda.amazonaws.com", "states.amazonaws.com"] },
          Action: "sts:AssumeRole",
        },
      ],
    });
    await silent("update-assume-role-policy", "--role-name", roleName, "--policy-document", trust);
    await silent(
      "update-role",
      "--role-name",
      roleName,
      "--description",
      "runs things",
      "--max-session-duration",
      "7200",
    );
    expect((await iam<{ Role: Role }>("get-role", "--role-name", roleName)).Role).toMatchObject({
      AssumeRolePolicyDocument: JSON.parse(trust),
      Description: "runs things",
      MaxSessionDuration: 7200,
    });
    expect(
      (await iam<{ Role: Role }>("update-role-description", "--role-name", roleName, "--description", "d2")).Role,
    ).toMatchObject({ RoleName: roleName, Description: "d2", MaxSessionDuration: 7200 });
    expect(await failure("update-role", "--role-name", roleName, "--max-session-duration", "50000")).toMatch(
      /\(ValidationError\).*MaxSessionDuration/,
    );
    expect(await failure("update-assume-role-policy", "--role-name", roleName, "--policy-document", "{}")).toMatch(
      /\(MalformedPolicyDocument\)/,
    );
    expect(await failure("update-role", "--role-name", uniqueName("none"), "--description", "x")).toMatch(
      /\(NoSuchEntity\)/,
    );
    // Untagged, a role shows no Tags at all, as IAM's.
    const plain = uniqueName("plain");
    await iam("create-role", "--role-name", plain, "--assume-role-policy-document", LAMBDA_TRUST);
    expect((await iam<{ Role: Role }>("get-role", "--role-name", plain)).Role).not.toHaveProperty("Tags");
  });

  it("lists roles by path a page at a time, reads one and deletes it", async () => {
    const path = `/${uniqueName("cli")}/`;
    const made: Role[] = [];
    for (const name of ["builder", "runner"]) {
      const out = await iam<{ Role: Role }>(
        ...["create-role", "--role-name", uniqueName(name), "--path", path, "--description", name],
        ...["--assume-role-policy-document", LAMBDA_TRUST, "--max-session-duration", "7200"],
      );
      made.push(out.Role);
    }
    const [builder, runner] = made as [Role, Role];
    expect(builder).toEqual({
      Path: path,
      RoleName: builder.RoleName,
      RoleId: expect.stringMatching(/^AROA[A-Z0-9]{17}$/),
      Arn: iamArn(`role${path}${builder.RoleName}`),
      CreateDate: expect.stringMatching(ISO),
      AssumeRolePolicyDocument: JSON.parse(LAMBDA_TRUST),
      Description: "builder",
      MaxSessionDuration: 7200,
    });
    expect(await iam("get-role", "--role-name", builder.RoleName)).toEqual({ Role: builder });
    // No instance profile holds it (Terraform lists them before DeleteRole).
    expect(await iam("list-instance-profiles-for-role", "--role-name", builder.RoleName)).toEqual({
      InstanceProfiles: [],
    });

    // One role a page: the CLI follows Marker while IsTruncated.
    const listed = await iam<{ Roles: Role[] }>("list-roles", "--path-prefix", path, "--page-size", "1");
    expect(listed.Roles.sort((a, b) => a.RoleName.localeCompare(b.RoleName))).toEqual([builder, runner]);
    const page = await iam<{ Roles: Role[]; NextToken?: string }>(
      ...["list-roles", "--path-prefix", path, "--max-items", "1"],
    );
    expect(page.Roles).toHaveLength(1);
    expect(page.NextToken).toEqual(expect.any(String));

    await silent("delete-role", "--role-name", builder.RoleName);
    expect(await failure("get-role", "--role-name", builder.RoleName)).toMatch(
      new RegExp(`\\(NoSuchEntity\\).*role with name ${builder.RoleName} cannot be found`),
    );
    expect(await failure("delete-role", "--role-name", builder.RoleName)).toMatch(/\(NoSuchEntity\)/);
    expect(await failure("list-instance-profiles-for-role", "--role-name", builder.RoleName)).toMatch(
      /\(NoSuchEntity\)/,
    );
    expect(await iam("list-roles", "--path-prefix", path)).toEqual({ Roles: [runner] });
    expect(await iam("list-roles", "--path-prefix", `/${uniqueName("none")}/`)).toEqual({ Roles: [] });
  });
});

describe("IAM users and their managed policies through the AWS CLI", () => {
  type User = { UserName: string; Arn: string } & Record<string, unknown>;
  type Attached = { AttachedPolicies: Array<{ PolicyName: string; PolicyArn: string }> };

  it("lists users by path a page at a time", async () => {
    const path = `/${uniqueName("cli")}/`;
    const users: User[] = [];
    for (const name of ["ana", "bo"]) {
      users.push((await iam<{ User: User }>("create-user", "--user-name", uniqueName(name), "--path", path)).User);
    }
    expect(users[0]).toEqual({
      Path: path,
      UserName: users[0]?.UserName,
      UserId: expect.stringMatching(/^AIDA[A-Z0-9]{17}$/),
      Arn: iamArn(`user${path}${users[0]?.UserName}`),
      CreateDate: expect.stringMatching(ISO),
    });
    // One user a page: the CLI follows Marker while IsTruncated.
    const listed = await iam<{ Users: User[] }>("list-users", "--path-prefix", path, "--page-size", "1");
    expect(listed.Users.sort((a, b) => a.UserName.localeCompare(b.UserName))).toEqual(users);
    const page = await iam<{ Users: User[]; NextToken?: string }>(
      ...["list-users", "--path-prefix", path, "--max-items", "1"],
    );
    expect(page.Users).toHaveLength(1);
    expect(page.NextToken).toEqual(expect.any(String));

    await silent("delete-user", "--user-name", users[0]?.UserName as string);
    expect(await iam("list-users", "--path-prefix", path)).toEqual({ Users: [users[1]] });
  });

  it("attaches a managed policy to a user, lists and detaches it", async () => {
    const user = (await iam<{ User: User }>("create-user", "--user-name", uniqueName("cli-user"))).User.UserName;
    const policy = await createPolicy(uniqueName("cli-p"), "/team/");
    const other = await createPolicy(uniqueName("cli-q"), "/");
    expect(await iam("list-attached-user-policies", "--user-name", user)).toEqual({ AttachedPolicies: [] });

    await silent("attach-user-policy", "--user-name", user, "--policy-arn", policy.Arn);
    await silent("attach-user-policy", "--user-name", user, "--policy-arn", other.Arn);
    const both = await iam<Attached>("list-attached-user-policies", "--user-name", user);
    expect(both.AttachedPolicies.sort((a, b) => a.PolicyName.localeCompare(b.PolicyName))).toEqual(
      [policy, other]
        .map((p) => ({ PolicyName: p.PolicyName, PolicyArn: p.Arn }))
        .sort((a, b) => a.PolicyName.localeCompare(b.PolicyName)),
    );
    // By path prefix, only the policy under /team/.
    expect(await iam("list-attached-user-policies", "--user-name", user, "--path-prefix", "/team/")).toEqual({
      AttachedPolicies: [{ PolicyName: policy.PolicyName, PolicyArn: policy.Arn }],
    });
    expect((await iam<{ Policy: Policy }>("get-policy", "--policy-arn", policy.Arn)).Policy.AttachmentCount).toBe(1);
    const attached = await iam<{ Policies: Policy[] }>("list-policies", "--scope", "Local", "--only-attached");
    expect(attached.Policies.map((p) => p.Arn)).toEqual(expect.arrayContaining([policy.Arn, other.Arn]));

    // Attached, neither the policy nor the user can go.
    expect(await failure("delete-policy", "--policy-arn", policy.Arn)).toMatch(/\(DeleteConflict\)/);
    expect(await failure("delete-user", "--user-name", user)).toMatch(/\(DeleteConflict\).*detach all policies/);

    await silent("detach-user-policy", "--user-name", user, "--policy-arn", policy.Arn);
    expect(await iam("list-attached-user-policies", "--user-name", user)).toEqual({
      AttachedPolicies: [{ PolicyName: other.PolicyName, PolicyArn: other.Arn }],
    });
    expect((await iam<{ Policy: Policy }>("get-policy", "--policy-arn", policy.Arn)).Policy.AttachmentCount).toBe(0);
    expect(await failure("detach-user-policy", "--user-name", user, "--policy-arn", policy.Arn)).toMatch(
      /\(NoSuchEntity\).*was not found/,
    );
    await silent("delete-policy", "--policy-arn", policy.Arn);
    await silent("detach-user-policy", "--user-name", user, "--policy-arn", other.Arn);
    // Stratus has no IAM groups: a user is in none (Terraform asks before DeleteUser).
    expect(await iam("list-groups-for-user", "--user-name", user)).toEqual({ Groups: [] });
    await silent("delete-user", "--user-name", user);
    expect(await failure("list-groups-for-user", "--user-name", user)).toMatch(/\(NoSuchEntity\)/);
    expect(await failure("list-attached-user-policies", "--user-name", user)).toMatch(
      new RegExp(`\\(NoSuchEntity\\).*user with name ${user} cannot be found`),
    );
  });

  it("refuses to attach a policy that is not there, or to a user that is not there", async () => {
    const user = (await iam<{ User: User }>("create-user", "--user-name", uniqueName("cli-user"))).User.UserName;
    const missing = iamArn(`policy/${uniqueName("none")}`);
    expect(await failure("attach-user-policy", "--user-name", user, "--policy-arn", missing)).toMatch(
      /\(NoSuchEntity\).*does not exist or is not attachable/,
    );
    const policy = await createPolicy(uniqueName("cli-p"), "/");
    const nobody = uniqueName("nobody");
    expect(await failure("attach-user-policy", "--user-name", nobody, "--policy-arn", policy.Arn)).toMatch(
      /\(NoSuchEntity\)/,
    );
    // A policy's ARN names its path: the right name under the wrong path is no policy.
    expect(
      await failure("attach-user-policy", "--user-name", user, "--policy-arn", iamArn(`policy/x/${policy.PolicyName}`)),
    ).toMatch(/\(NoSuchEntity\)/);
    expect(await iam("list-attached-user-policies", "--user-name", user)).toEqual({ AttachedPolicies: [] });
    expect((await iam<{ Policy: Policy }>("get-policy", "--policy-arn", policy.Arn)).Policy.AttachmentCount).toBe(0);
  });
});
