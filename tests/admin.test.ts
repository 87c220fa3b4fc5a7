// Accounts and keys: the first start stores an administrator key (never a default
// secret), the admin API creates accounts and keys with it, and other accounts are
// refused.

import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ControlPlaneConfigSchema, startControlPlane } from "@stratus/control-plane";
import { describe, expect, it } from "vitest";
import { signedFetch } from "./helpers/signed-fetch.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();

async function adminCredentials(): Promise<Credentials> {
  return JSON.parse(await readFile(stack.adminKeyFile, "utf8")) as Credentials;
}

describe("administration", () => {
  it("stores the bootstrap administrator key in a private file", async () => {
    const info = await stat(stack.adminKeyFile);
    expect(info.mode & 0o777).toBe(0o600);
    const admin = await adminCredentials();
    expect(admin.accountId).toMatch(/^\d{12}$/);
    expect(admin.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(admin.secretAccessKey.length).toBeGreaterThanOrEqual(40);
  });

  it("creates accounts and keys with the admin API, usable with the SDK", async () => {
    const admin = await adminCredentials();
    const name = `team-${randomBytes(3).toString("hex")}`;
    const res = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/accounts", {
      method: "POST",
      body: JSON.stringify({ Name: name }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
    const team = {
      accountId: created.AccountId,
      accessKeyId: created.AccessKeyId,
      secretAccessKey: created.SecretAccessKey,
    };
    expect((await stack.clientFor(team).send(new ListFunctionsCommand({}))).Functions).toEqual([]);

    const again = await signedFetch(stack.endpoint, stack.region, admin, "/stratus/2026-11-01/accounts", {
      method: "POST",
      body: JSON.stringify({ Name: name }),
    });
    expect(again.status).toBe(409);

    const key = await signedFetch(stack.endpoint, stack.region, admin, `/stratus/2026-11-01/accounts/${name}/keys`, {
      method: "POST",
    });
    expect(key.status).toBe(201);
    const second = (await key.json()) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
    expect(second.AccountId).toBe(created.AccountId);
    expect(second.AccessKeyId).not.toBe(created.AccessKeyId);
  });

  it("refuses the admin API to other accounts and bad names", async () => {
    const res = await signedFetch(stack.endpoint, stack.region, stack.credentials, "/stratus/2026-11-01/accounts", {
      method: "POST",
      body: JSON.stringify({ Name: "sneaky" }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    const bad = await signedFetch(
      stack.endpoint,
      stack.region,
      await adminCredentials(),
      "/stratus/2026-11-01/accounts",
      {
        method: "POST",
        body: JSON.stringify({ Name: "../x" }),
      },
    );
    expect(bad.status).toBe(400);
  });

  it("does not create a second administrator on a later start", async () => {
    const before = await readFile(stack.adminKeyFile, "utf8");
    const second = await startControlPlane(
      ControlPlaneConfigSchema.parse({
        STRATUS_DATABASE_URL: stack.databaseUrl,
        STRATUS_REDIS_URL: stack.redisUrl,
        STRATUS_INTERNAL_TOKEN: stack.internalToken,
        STRATUS_PORT: "0",
        STRATUS_URL_PORT: "0",
        STRATUS_BOOTSTRAP_KEY_FILE: `${stack.adminKeyFile}.second`,
      }),
      { info: () => undefined, warn: () => undefined, error: console.error },
    );
    await second.close();
    await expect(stat(`${stack.adminKeyFile}.second`)).rejects.toThrow(/ENOENT/);
    expect(await readFile(stack.adminKeyFile, "utf8")).toBe(before);
    const admins = await stack.db.query("SELECT count(*)::int AS n FROM accounts WHERE is_admin");
    expect(admins.rows[0].n).toBe(1);
  });
});
