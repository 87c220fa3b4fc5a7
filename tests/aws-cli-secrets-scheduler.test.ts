// The AWS CLI (botocore's parsers, not the JS SDK) on Secrets Manager past the walk of
// secrets.test.ts and on EventBridge Scheduler's groups: what UpdateSecret answers, with
// and without a new value, read back; secrets listed a page at a time and in either
// order; tags on a secret that is not there; a schedule group read and untagged; and
// the services' refusals by AWS's error names.
import { describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { uniqueName } from "./helpers/functions.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const aws = useAwsCli(stack, "stratus-cli-secrets-");
const secrets = cliCommands(aws, "secretsmanager");
const scheduler = cliCommands(aws, "scheduler");

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${stack.region}:${stack.credentials.accountId}:${resource}`;

type Secret = { ARN: string; Name: string; VersionId?: string } & Record<string, unknown>;

describe("Secrets Manager through the AWS CLI", () => {
  it("answers UpdateSecret with the secret, and its new version when it has one", async () => {
    const name = uniqueName("cli/update");
    const made = await secrets.json<Secret>("create-secret", "--name", name, "--secret-string", "one");
    const described = await secrets.json<Secret>("update-secret", "--secret-id", name, "--description", "first");
    // No new value: no new version.
    expect(described).toEqual({ ARN: made.ARN, Name: name });
    const changed = await secrets.json<Secret>(
      ...["update-secret", "--secret-id", made.ARN, "--secret-string", "two", "--description", "second"],
    );
    expect(changed).toEqual({ ARN: made.ARN, Name: name, VersionId: expect.any(String) });
    expect(changed.VersionId).not.toBe(made.VersionId);
    expect(await secrets.json("get-secret-value", "--secret-id", name)).toMatchObject({
      SecretString: "two",
      VersionId: changed.VersionId,
      VersionStages: ["AWSCURRENT"],
    });
    expect(await secrets.json("describe-secret", "--secret-id", name)).toEqual({
      ARN: made.ARN,
      Name: name,
      Description: "second",
      LastChangedDate: expect.any(Number),
      CreatedDate: expect.any(Number),
      VersionIdsToStages: { [String(made.VersionId)]: ["AWSPREVIOUS"], [String(changed.VersionId)]: ["AWSCURRENT"] },
    });
    // The same ClientRequestToken again is the same version, not a third.
    const token = "11111111-2222-3333-4444-555555555555";
    const again = ["update-secret", "--secret-id", name, "--secret-string", "three", "--client-request-token", token];
    expect((await secrets.json<Secret>(...again)).VersionId).toBe(token);
    expect((await secrets.json<Secret>(...again)).VersionId).toBe(token);
    const stages = (await secrets.json<{ VersionIdsToStages: object }>("describe-secret", "--secret-id", name))
      .VersionIdsToStages;
    expect(stages).toEqual({ [String(changed.VersionId)]: ["AWSPREVIOUS"], [token]: ["AWSCURRENT"] });
  });

  it("lists secrets a page at a time, in either order", async () => {
    const prefix = uniqueName("cli-list");
    const names = ["a", "b", "c"].map((s) => `${prefix}/${s}`);
    for (const name of names) await secrets.json("create-secret", "--name", name, "--secret-string", "v");
    const filter = ["--filters", `Key=name,Values=${prefix}/`];
    type Listed = { SecretList: Secret[]; NextToken?: string };
    // One secret a page: the CLI follows NextToken to the end.
    const all = await secrets.json<Listed>("list-secrets", ...filter, "--page-size", "1");
    expect(all.SecretList.map((s) => s.Name)).toEqual(names);
    expect(all.SecretList[0]).toEqual({
      ARN: expect.stringMatching(new RegExp(`^${arn("secretsmanager", `secret:${names[0]}`)}-[A-Za-z0-9]{6}$`)),
      Name: names[0],
      LastChangedDate: expect.any(Number),
      CreatedDate: expect.any(Number),
      SecretVersionsToStages: expect.any(Object),
    });
    expect(Object.values(all.SecretList[0]?.SecretVersionsToStages as object)).toEqual([["AWSCURRENT"]]);
    const page = await secrets.json<Listed>("list-secrets", ...filter, "--max-items", "2");
    expect(page.SecretList.map((s) => s.Name)).toEqual(names.slice(0, 2));
    const rest = await secrets.json<Listed>("list-secrets", ...filter, "--starting-token", String(page.NextToken));
    expect(rest.SecretList.map((s) => s.Name)).toEqual(names.slice(2));
    const desc = await secrets.json<Listed>("list-secrets", ...filter, "--sort-order", "desc", "--page-size", "2");
    expect(desc.SecretList.map((s) => s.Name)).toEqual([...names].reverse());
  });

  it("refuses updates and tags of a secret that is not there, or of nothing", async () => {
    const missing = uniqueName("cli/missing");
    const notFound = /\(ResourceNotFoundException\).*can't find the specified secret/;
    expect(await secrets.failure("update-secret", "--secret-id", missing, "--description", "x")).toMatch(notFound);
    expect(await secrets.failure("tag-resource", "--secret-id", missing, "--tags", "Key=a,Value=b")).toMatch(notFound);
    expect(await secrets.failure("untag-resource", "--secret-id", missing, "--tag-keys", "a")).toMatch(notFound);
    const name = uniqueName("cli/nothing");
    await secrets.json("create-secret", "--name", name, "--secret-string", "v");
    expect(await secrets.failure("update-secret", "--secret-id", name)).toMatch(/\(InvalidParameterException\)/);
    await secrets.json("delete-secret", "--secret-id", name);
    expect(await secrets.failure("update-secret", "--secret-id", name, "--description", "x")).toMatch(
      /\(InvalidRequestException\).*marked for deletion/,
    );
    expect(await secrets.failure("tag-resource", "--secret-id", name, "--tags", "Key=a,Value=b")).toMatch(
      /\(InvalidRequestException\).*marked for deletion/,
    );
    expect(await secrets.json("describe-secret", "--secret-id", name)).not.toHaveProperty("Tags");
  });
});

describe("EventBridge Scheduler groups through the AWS CLI", () => {
  it("reads a schedule group, untags it, and answers a missing one", async () => {
    const group = uniqueName("cli-group");
    const groupArn = arn("scheduler", `schedule-group/${group}`);
    const made = await scheduler.json(
      ...["create-schedule-group", "--name", group, "--tags", "Key=team,Value=core", "Key=env,Value=dev"],
    );
    expect(made).toEqual({ ScheduleGroupArn: groupArn });
    const got = await scheduler.json<{ CreationDate: number }>("get-schedule-group", "--name", group);
    expect(got).toEqual({
      Arn: groupArn,
      Name: group,
      State: "ACTIVE",
      CreationDate: expect.any(Number),
      LastModificationDate: expect.any(Number),
    });
    expect(Math.abs(got.CreationDate - Date.now() / 1000)).toBeLessThan(60);

    await scheduler.silent("untag-resource", "--resource-arn", groupArn, "--tag-keys", "env");
    expect(await scheduler.json("list-tags-for-resource", "--resource-arn", groupArn)).toEqual({
      Tags: [{ Key: "team", Value: "core" }],
    });
    await scheduler.silent("untag-resource", "--resource-arn", groupArn, "--tag-keys", "team", "absent");
    expect(await scheduler.json("list-tags-for-resource", "--resource-arn", groupArn)).toEqual({ Tags: [] });

    await scheduler.silent("delete-schedule-group", "--name", group);
    expect(await scheduler.failure("get-schedule-group", "--name", group)).toMatch(
      new RegExp(`\\(ResourceNotFoundException\\).*Schedule group ${group} does not exist`),
    );
    expect(await scheduler.failure("untag-resource", "--resource-arn", groupArn, "--tag-keys", "team")).toMatch(
      /\(ResourceNotFoundException\)/,
    );
    // A name outside Scheduler's pattern is a bad request, not a missing group or schedule.
    expect(await scheduler.failure("get-schedule-group", "--name", "bad name!")).toMatch(/\(ValidationException\)/);
    expect(await scheduler.failure("get-schedule", "--name", "bad name!")).toMatch(/\(ValidationException\)/);
  });

  it("reads the default group", async () => {
    expect(await scheduler.json("get-schedule-group", "--name", "default")).toMatchObject({
      Arn: arn("scheduler", "schedule-group/default"),
      Name: "default",
      State: "ACTIVE",
    });
  });
});
