// Secrets Manager on a live control plane, driven by @aws-sdk/client-secrets-manager
// and the AWS CLI unchanged: secrets made, read by name and by ARN, versions and their
// staging labels, idempotent tokens, tags, listing with filters and pages, deletion
// with a recovery window, restore, forced deletion and the purge; another account's
// secret is not found, and Postgres holds no value in the clear.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { waitFor } from "./helpers/poll.js";
import { type Credentials, type Platform, startPlatform } from "./helpers/stack.js";

let platform: Platform;
let sm: SecretsManagerClient;
let dir: string;

const client = (c: Credentials) =>
  new SecretsManagerClient({
    endpoint: platform.endpoint,
    region: platform.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    maxAttempts: 1,
  });

beforeAll(async () => {
  platform = await startPlatform({ controlPlaneEnv: { STRATUS_SECRETS_PURGE_INTERVAL_MS: "200" } });
  sm = client(platform.credentials);
  dir = await mkdtemp(path.join(tmpdir(), "stratus-secrets-"));
}, 120_000);

afterAll(async () => {
  sm?.destroy();
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runAwsCli(platform, dir, ["secretsmanager", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
}

async function cliRefused(code: string, ...args: string[]): Promise<string> {
  const r = await runAwsCli(platform, dir, ["secretsmanager", ...args]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(`(${code})`);
  return r.stderr;
}

async function refused(call: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err?.name).toBe(name);
  if (message) expect(err?.message).toMatch(message);
}

describe("secrets through the AWS CLI", () => {
  it("creates, reads by name and ARN, versions, tags, describes and lists", async () => {
    const name = unique("cli/db");
    const made = await cli("create-secret", "--name", name, "--secret-string", "first-value", "--description", "DB pw");
    expect(made.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:${platform.credentials.accountId}:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    const got = await cli("get-secret-value", "--secret-id", name);
    expect(got).toMatchObject({
      Name: name,
      ARN: made.ARN,
      SecretString: "first-value",
      VersionStages: ["AWSCURRENT"],
    });

    const put = await cli("put-secret-value", "--secret-id", String(made.ARN), "--secret-string", "second-value");
    expect(put.VersionStages).toEqual(["AWSCURRENT"]);
    expect((await cli("get-secret-value", "--secret-id", name)).SecretString).toBe("second-value");
    const previous = await cli("get-secret-value", "--secret-id", name, "--version-stage", "AWSPREVIOUS");
    expect(previous).toMatchObject({ SecretString: "first-value", VersionId: made.VersionId });
    // A partial ARN (without the six random characters) names the secret too.
    const partial = String(made.ARN).slice(0, -7);
    expect((await cli("get-secret-value", "--secret-id", partial)).SecretString).toBe("second-value");

    await cli("update-secret", "--secret-id", name, "--description", "the database password");
    await cli("tag-resource", "--secret-id", name, "--tags", "Key=team,Value=core", "Key=env,Value=prod");
    await cli("untag-resource", "--secret-id", name, "--tag-keys", "env");
    const d = await cli("describe-secret", "--secret-id", name);
    expect(d).toMatchObject({
      Name: name,
      Description: "the database password",
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(d.VersionIdsToStages).toEqual({
      [String(made.VersionId)]: ["AWSPREVIOUS"],
      [String(put.VersionId)]: ["AWSCURRENT"],
    });
    expect(typeof d.CreatedDate).toBe("number");
    expect(d.DeletedDate).toBeUndefined();

    const listed = await cli("list-secrets", "--filters", `Key=name,Values=${name}`);
    expect((listed.SecretList as Array<{ Name: string }>).map((s) => s.Name)).toEqual([name]);
    const byTag = await cli("list-secrets", "--filters", "Key=tag-key,Values=team", `Key=name,Values=${name}`);
    expect(byTag.SecretList).toHaveLength(1);
    const notByTag = await cli("list-secrets", "--filters", "Key=tag-key,Values=!team", `Key=name,Values=${name}`);
    expect(notByTag.SecretList).toHaveLength(0);
  });

  it("deletes with a recovery window, refuses reads meanwhile, restores, and force-deletes", async () => {
    const name = unique("cli/del");
    await cli("create-secret", "--name", name, "--secret-string", "v");
    // Its resource policy: none (Terraform reads it after every create and refresh).
    const made = await cli("describe-secret", "--secret-id", name);
    expect(await cli("get-resource-policy", "--secret-id", name)).toEqual({ ARN: made.ARN, Name: name });
    await cliRefused(
      "InvalidRequestException",
      ...["put-resource-policy", "--secret-id", name, "--resource-policy", '{"Version":"2012-10-17","Statement":[]}'],
    );
    expect(await cli("delete-resource-policy", "--secret-id", name)).toEqual({ ARN: made.ARN, Name: name });
    const del = await cli("delete-secret", "--secret-id", name, "--recovery-window-in-days", "7");
    const days = (Number(del.DeletionDate) * 1000 - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    await cliRefused("InvalidRequestException", "get-secret-value", "--secret-id", name);
    await cliRefused("InvalidRequestException", "get-resource-policy", "--secret-id", name);
    await cliRefused("InvalidRequestException", "create-secret", "--name", name, "--secret-string", "w");
    expect(typeof (await cli("describe-secret", "--secret-id", name)).DeletedDate).toBe("number");
    const hidden = await cli("list-secrets", "--filters", `Key=name,Values=${name}`);
    expect(hidden.SecretList).toHaveLength(0);
    const shown = await cli("list-secrets", "--include-planned-deletion", "--filters", `Key=name,Values=${name}`);
    expect(shown.SecretList).toHaveLength(1);
    await cli("restore-secret", "--secret-id", name);
    expect((await cli("get-secret-value", "--secret-id", name)).SecretString).toBe("v");

    await cli("delete-secret", "--secret-id", name, "--force-delete-without-recovery");
    await cliRefused("ResourceNotFoundException", "describe-secret", "--secret-id", name);
    await cliRefused("ResourceNotFoundException", "get-resource-policy", "--secret-id", name);
    await cli("create-secret", "--name", name, "--secret-string", "again");
  });

  it("refuses bad input by name and changes nothing", async () => {
    const name = unique("cli/bad");
    const kms = await cliRefused(
      "InvalidParameterException",
      "create-secret",
      "--name",
      name,
      "--kms-key-id",
      "alias/k",
    );
    expect(kms).toContain("KmsKeyId");
    await cliRefused("ResourceNotFoundException", "describe-secret", "--secret-id", name);
    await cli("create-secret", "--name", name, "--secret-string", "v");
    await cliRefused(
      "InvalidParameterException",
      "delete-secret",
      "--secret-id",
      name,
      "--recovery-window-in-days",
      "3",
    );
    await cliRefused(
      "InvalidParameterException",
      "delete-secret",
      "--secret-id",
      name,
      "--recovery-window-in-days",
      "7",
      "--force-delete-without-recovery",
    );
    expect((await cli("describe-secret", "--secret-id", name)).DeletedDate).toBeUndefined();
    await cliRefused("ResourceNotFoundException", "get-secret-value", "--secret-id", unique("missing"));
  });
});

describe("secrets through the JS SDK", () => {
  it("answers a repeated token with the same value as before, and refuses it with another", async () => {
    const Name = unique("sdk/token");
    const ClientRequestToken = randomUUID();
    const first = await sm.send(new CreateSecretCommand({ Name, SecretString: "a", ClientRequestToken }));
    const again = await sm.send(new CreateSecretCommand({ Name, SecretString: "a", ClientRequestToken }));
    expect(again).toMatchObject({ ARN: first.ARN, Name, VersionId: ClientRequestToken });
    await refused(
      sm.send(new CreateSecretCommand({ Name, SecretString: "b", ClientRequestToken })),
      "ResourceExistsException",
    );
    await refused(sm.send(new CreateSecretCommand({ Name, SecretString: "a" })), "ResourceExistsException");

    const token = randomUUID();
    const put = await sm.send(
      new PutSecretValueCommand({ SecretId: Name, SecretString: "c", ClientRequestToken: token }),
    );
    const putAgain = await sm.send(
      new PutSecretValueCommand({ SecretId: Name, SecretString: "c", ClientRequestToken: token }),
    );
    expect(putAgain).toMatchObject({ VersionId: put.VersionId, VersionStages: ["AWSCURRENT"] });
    await refused(
      sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "d", ClientRequestToken: token })),
      "ResourceExistsException",
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: Name }));
    expect(d.VersionIdsToStages).toEqual({ [ClientRequestToken]: ["AWSPREVIOUS"], [token]: ["AWSCURRENT"] });
  });

  it("keeps versions and labels: custom stages, AWSPREVIOUS following, reads by id and stage", async () => {
    const Name = unique("sdk/stages");
    const v1 = await sm.send(new CreateSecretCommand({ Name }));
    expect(v1.VersionId).toBeUndefined();
    await refused(sm.send(new GetSecretValueCommand({ SecretId: Name })), "ResourceNotFoundException", /AWSCURRENT/);
    const a = await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "one" }));
    const b = await sm.send(
      new PutSecretValueCommand({ SecretId: Name, SecretString: "two", VersionStages: ["BETA"] }),
    );
    expect(b.VersionStages).toEqual(["BETA"]);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe("one");
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name, VersionStage: "BETA" }))).SecretString).toBe(
      "two",
    );
    const c = await sm.send(new UpdateSecretCommand({ SecretId: Name, SecretString: "three", Description: "d" }));
    const cur = await sm.send(new GetSecretValueCommand({ SecretId: Name }));
    expect(cur).toMatchObject({ SecretString: "three", VersionId: c.VersionId, VersionStages: ["AWSCURRENT"] });
    expect(cur.CreatedDate).toBeInstanceOf(Date);
    const byId = await sm.send(new GetSecretValueCommand({ SecretId: Name, VersionId: a.VersionId }));
    expect(byId).toMatchObject({ SecretString: "one", VersionStages: ["AWSPREVIOUS"] });
    await refused(
      sm.send(new GetSecretValueCommand({ SecretId: Name, VersionId: a.VersionId, VersionStage: "AWSCURRENT" })),
      "ResourceNotFoundException",
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: Name }));
    expect(d.Description).toBe("d");
    expect(d.VersionIdsToStages).toEqual({
      [String(a.VersionId)]: ["AWSPREVIOUS"],
      [String(b.VersionId)]: ["BETA"],
      [String(c.VersionId)]: ["AWSCURRENT"],
    });
  });

  it("moves staging labels between versions and lists versions by id (SDK, CLI)", async () => {
    const Name = unique("sdk/restage");
    const a = await sm.send(new CreateSecretCommand({ Name, SecretString: "one" }));
    const b = await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "two" }));
    const c = await sm.send(
      new PutSecretValueCommand({ SecretId: Name, SecretString: "three", VersionStages: ["BETA"] }),
    );
    const stages = async () => (await sm.send(new DescribeSecretCommand({ SecretId: Name }))).VersionIdsToStages;
    // What Terraform asks before deleting a replaced version: AWSPREVIOUS taken off it.
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: Name,
        VersionStage: "AWSPREVIOUS",
        RemoveFromVersionId: a.VersionId,
      }),
    );
    expect(await stages()).toEqual({ [String(b.VersionId)]: ["AWSCURRENT"], [String(c.VersionId)]: ["BETA"] });
    // AWSCURRENT moved: the version it leaves takes AWSPREVIOUS; reads follow.
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: Name,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: c.VersionId,
        RemoveFromVersionId: b.VersionId,
      }),
    );
    expect(await stages()).toEqual({
      [String(b.VersionId)]: ["AWSPREVIOUS"],
      [String(c.VersionId)]: ["BETA", "AWSCURRENT"],
    });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe("three");
    // A label held elsewhere must be named where it is taken from; nothing changes otherwise.
    await refused(
      sm.send(
        new UpdateSecretVersionStageCommand({ SecretId: Name, VersionStage: "BETA", MoveToVersionId: a.VersionId }),
      ),
      "InvalidParameterException",
      /RemoveFromVersionId/,
    );
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: Name }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.VersionStages])).toEqual([
      [b.VersionId, ["AWSPREVIOUS"]],
      [c.VersionId, ["BETA", "AWSCURRENT"]],
    ]);
    const all = await cli("list-secret-version-ids", "--secret-id", Name, "--include-deprecated");
    expect((all.Versions as Array<{ VersionId: string }>).map((v) => v.VersionId)).toEqual([
      a.VersionId,
      b.VersionId,
      c.VersionId,
    ]);
    await cli(
      ...["update-secret-version-stage", "--secret-id", Name, "--version-stage", "AWSPREVIOUS"],
      ...["--remove-from-version-id", String(b.VersionId)],
    );
    expect(await stages()).toEqual({ [String(c.VersionId)]: ["BETA", "AWSCURRENT"] });
    await cliRefused(
      "InvalidParameterException",
      ...["update-secret-version-stage", "--secret-id", Name, "--version-stage", "AWSCURRENT"],
      ...["--remove-from-version-id", String(c.VersionId)],
    );
  });

  it("reads a secret's resource policy as none, and refuses one", async () => {
    const name = unique("sdk/policy");
    const made = await sm.send(new CreateSecretCommand({ Name: name, SecretString: "v" }));
    const got = await sm.send(new GetResourcePolicyCommand({ SecretId: made.ARN }));
    expect({ arn: got.ARN, name: got.Name, policy: got.ResourcePolicy }).toEqual({
      arn: made.ARN,
      name,
      policy: undefined,
    });
    const put = sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: "{}" }));
    await expect(put).rejects.toMatchObject({ name: "InvalidRequestException" });
    const other = client(await platform.newAccount(unique("intruder")));
    await expect(other.send(new GetResourcePolicyCommand({ SecretId: made.ARN }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    other.destroy();
  });

  it("stores binary values and values of 65,536 bytes, and refuses one byte more", async () => {
    const Name = unique("sdk/bin");
    const bytes = randomBytes(300);
    await sm.send(new CreateSecretCommand({ Name, SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: Name }));
    expect(Buffer.from(got.SecretBinary as Uint8Array).equals(bytes)).toBe(true);
    expect(got.SecretString).toBeUndefined();
    const cliGot = (await cli("get-secret-value", "--secret-id", Name)) as { SecretBinary: string };
    expect(Buffer.from(cliGot.SecretBinary, "base64").equals(bytes)).toBe(true);
    await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "x".repeat(65_536) }));
    await refused(
      sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "x".repeat(65_537) })),
      "InvalidParameterException",
    );
  });

  it("lists in pages, with tag, description and all filters, and tags through the SDK", async () => {
    const prefix = unique("sdk-list");
    for (const i of [1, 2, 3]) {
      await sm.send(
        new CreateSecretCommand({
          Name: `${prefix}/s${i}`,
          SecretString: "v",
          Description: i === 2 ? "Payments key" : "other",
        }),
      );
    }
    await sm.send(new TagResourceCommand({ SecretId: `${prefix}/s3`, Tags: [{ Key: "tier", Value: "gold" }] }));
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sm.send(
        new ListSecretsCommand({ MaxResults: 1, NextToken, Filters: [{ Key: "name", Values: [prefix] }] }),
      );
      expect(page.SecretList?.length).toBeLessThanOrEqual(1);
      names.push(...(page.SecretList ?? []).map((s) => s.Name as string));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(names).toEqual([`${prefix}/s1`, `${prefix}/s2`, `${prefix}/s3`]);
    const only = async (Key: "description" | "tag-value" | "all", value: string) =>
      (
        await sm.send(
          new ListSecretsCommand({
            Filters: [
              { Key, Values: [value] },
              { Key: "name", Values: [prefix] },
            ],
          }),
        )
      ).SecretList?.map((s) => s.Name);
    expect(await only("description", "payments")).toEqual([`${prefix}/s2`]);
    expect(await only("tag-value", "gold")).toEqual([`${prefix}/s3`]);
    expect(await only("all", "gold")).toEqual([`${prefix}/s3`]);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [`${prefix}/s3`] }] }));
    expect(listed.SecretList?.[0]?.Tags).toEqual([{ Key: "tier", Value: "gold" }]);
    expect(listed.SecretList?.[0]?.SecretVersionsToStages).toBeDefined();
    await sm.send(new UntagResourceCommand({ SecretId: `${prefix}/s3`, TagKeys: ["tier"] }));
    expect(await only("tag-value", "gold")).toEqual([]);
    await refused(sm.send(new ListSecretsCommand({ NextToken: "garbage" })), "InvalidNextTokenException");
  });

  it("deletes and restores through the SDK; the purge removes a secret past its window", async () => {
    const Name = unique("sdk/purge");
    const made = await sm.send(new CreateSecretCommand({ Name, SecretString: "v" }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: Name }));
    const days = ((del.DeletionDate as Date).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    await refused(
      sm.send(new GetSecretValueCommand({ SecretId: Name })),
      "InvalidRequestException",
      /marked for deletion/,
    );
    await refused(sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: "w" })), "InvalidRequestException");
    await sm.send(new RestoreSecretCommand({ SecretId: made.ARN }));
    await sm.send(new DeleteSecretCommand({ SecretId: Name, RecoveryWindowInDays: 7 }));
    // The window passes (moved here, not waited for); the purge loop then removes it.
    await platform.db.query("UPDATE secrets SET delete_after = now() - interval '1 second' WHERE arn = $1", [made.ARN]);
    await waitFor(
      async () =>
        (await platform.db.query("SELECT 1 FROM secrets WHERE arn = $1", [made.ARN])).rowCount === 0 ? true : undefined,
      10_000,
      { what: "the purge to remove the secret" },
    );
    const versions = await platform.db.query("SELECT 1 FROM secret_versions WHERE secret_arn = $1", [made.ARN]);
    expect(versions.rowCount).toBe(0);
    await refused(sm.send(new DescribeSecretCommand({ SecretId: Name })), "ResourceNotFoundException");
  });

  it("does not find another account's secret, by name or by ARN", async () => {
    const Name = unique("sdk/mine");
    const made = await sm.send(new CreateSecretCommand({ Name, SecretString: "mine" }));
    const other = client(await platform.newAccount(unique("other")));
    try {
      await refused(other.send(new GetSecretValueCommand({ SecretId: made.ARN })), "ResourceNotFoundException");
      await refused(other.send(new GetSecretValueCommand({ SecretId: Name })), "ResourceNotFoundException");
      await refused(other.send(new DescribeSecretCommand({ SecretId: made.ARN })), "ResourceNotFoundException");
      await refused(other.send(new DeleteSecretCommand({ SecretId: made.ARN })), "ResourceNotFoundException");
      const theirs = await other.send(new ListSecretsCommand({}));
      expect(theirs.SecretList).toEqual([]);
      // The other account may use the same name for a secret of its own.
      await other.send(new CreateSecretCommand({ Name, SecretString: "theirs" }));
      expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe("mine");
    } finally {
      other.destroy();
    }
  });

  it("stores no value in the clear: Postgres holds only sealed bytes", async () => {
    const marker = `plaintext-marker-${randomBytes(8).toString("hex")}`;
    const Name = unique("sdk/sealed");
    await sm.send(new CreateSecretCommand({ Name, SecretString: marker }));
    await sm.send(new PutSecretValueCommand({ SecretId: Name, SecretString: `${marker}-2` }));
    const rows = await platform.db.query<{ key_id: string; nonce: Buffer; ciphertext: Buffer; row: string }>(
      `SELECT v.key_id, v.nonce, v.ciphertext, v::text AS row FROM secret_versions v
       JOIN secrets s ON s.arn = v.secret_arn WHERE s.name = $1`,
      [Name],
    );
    expect(rows.rowCount).toBe(2);
    for (const r of rows.rows) {
      expect(r.key_id).toMatch(/^k1-[0-9a-f]{16}$/);
      expect(r.nonce).toHaveLength(12);
      expect(r.ciphertext.includes(Buffer.from(marker))).toBe(false);
      expect(r.row).not.toContain(marker);
      expect(r.row).not.toContain(Buffer.from(marker).toString("hex"));
    }
    const secretRow = await platform.db.query<{ row: string }>("SELECT s::text AS row FROM secrets s WHERE name = $1", [
      Name,
    ]);
    expect(secretRow.rows[0]?.row).not.toContain(marker);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: Name }))).SecretString).toBe(`${marker}-2`);
  });
});
