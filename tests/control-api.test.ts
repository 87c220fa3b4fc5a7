// The Lambda control API through @aws-sdk/client-lambda (real SigV4 keys) against a
// live control plane on Postgres: functions, versions, aliases with weights,
// RevisionId preconditions, configuration resources, and the SDK's error classes.
import { randomBytes } from "node:crypto";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCodeSigningConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  PutFunctionCodeSigningConfigCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const ROLE = "arn:aws:iam::123456789012:role/lambda-role";
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const decode = (p?: Uint8Array) => JSON.parse(Buffer.from(p ?? []).toString("utf8"));
const returning = (value: string) => nodeFunction(`exports.handler = async () => ${JSON.stringify(value)};`);

const stack = useStack();

async function create(name: string, value = "v0", extra: Record<string, unknown> = {}) {
  return stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: await returning(value) },
      ...extra,
    }),
  );
}

describe("functions", () => {
  it("updates code and configuration, with RevisionId preconditions", async () => {
    const name = uniqueName("upd");
    const created = await create(name, "one", { Environment: { Variables: { AB: "1" } }, Tags: { team: "x" } });
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);

    const code = await stack.lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: name,
        ZipFile: await returning("two"),
        RevisionId: created.RevisionId,
      }),
    );
    expect(code.CodeSha256).not.toBe(created.CodeSha256);
    expect(code.RevisionId).not.toBe(created.RevisionId);
    expect(decode((await stack.lambda.send(new InvokeCommand({ FunctionName: name }))).Payload)).toBe("two");

    await expect(
      stack.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5, RevisionId: created.RevisionId }),
      ),
    ).rejects.toBeInstanceOf(PreconditionFailedException);

    const cfg = await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Timeout: 5,
        MemorySize: 256,
        Description: "updated",
        RevisionId: code.RevisionId,
      }),
    );
    expect(cfg).toMatchObject({
      Timeout: 5,
      MemorySize: 256,
      Description: "updated",
      Environment: { Variables: { AB: "1" } },
    });
    const got = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(got.RevisionId).toBe(cfg.RevisionId);
    expect(got.State).toBe("Active");
    expect(got.LastUpdateStatus).toBe("Successful");

    const full = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(full.Tags).toEqual({ team: "x" });
    const zip = await fetch(full.Code?.Location ?? "");
    expect(zip.status).toBe(200);
    const hash = await crypto.subtle.digest("SHA-256", await zip.arrayBuffer());
    expect(Buffer.from(hash).toString("base64")).toBe(code.CodeSha256);
    const tampered = await fetch(`${full.Code?.Location}0`);
    expect(tampered.status).toBe(403);
  });

  it("refuses invalid configuration with the field named, and changes nothing", async () => {
    const name = uniqueName("bad");
    const created = await create(name);
    const cases: Record<string, unknown>[] = [
      { MemorySize: 64 },
      { Timeout: 901 },
      { EphemeralStorage: { Size: 100 } },
      { Handler: "missing.handler" },
      { Environment: { Variables: { AWS_REGION: "x" } } },
      { Environment: { Variables: { "1A": "x" } } },
      { Environment: { Variables: { BIG: "x".repeat(5000) } } },
      { Runtime: "cobol85" },
      { Description: "d".repeat(257) },
    ];
    for (const patch of cases) {
      const send = stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...patch }));
      await expect(send, JSON.stringify(patch).slice(0, 60)).rejects.toBeInstanceOf(InvalidParameterValueException);
    }
    const after = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(after.RevisionId).toBe(created.RevisionId);
  });

  it("refuses by name the parameters Stratus does not implement yet, on create and on update", async () => {
    const name = uniqueName("unsup");
    const created = await create(name);
    const asks: [string, Record<string, unknown>][] = [
      ["SnapStart", { SnapStart: { ApplyOn: "PublishedVersions" } }],
      ["KMSKeyArn", { KMSKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k" }],
      ["FileSystemConfigs", { FileSystemConfigs: [{ Arn: "arn:aws:elasticfilesystem:x", LocalMountPath: "/mnt/x" }] }],
      ["DurableConfig", { DurableConfig: { RetentionPeriodInDays: 7 } }],
      [
        "CapacityProviderConfig",
        {
          CapacityProviderConfig: {
            LambdaManagedInstancesCapacityProviderConfig: {
              CapacityProviderArn: "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp",
            },
          },
        },
      ],
    ];
    for (const [field, patch] of asks) {
      const updated = stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...patch }));
      await expect(updated, field).rejects.toThrow(new RegExp(`${field} is not supported`));
      const other = uniqueName("unsup");
      await expect(create(other, "v0", patch), field).rejects.toBeInstanceOf(InvalidParameterValueException);
      await expect(stack.lambda.send(new GetFunctionCommand({ FunctionName: other }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    }
    const image = stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: uniqueName("img"),
        PackageType: "Image",
        Runtime: "nodejs20.x",
        Role: ROLE,
        Code: { ImageUri: "registry.local/fn:1" },
      }),
    );
    await expect(image).rejects.toThrow(/Handler or Runtime or Layer/);
    // CreateFunction's own: a tenancy mode, and publishing to Lambda's managed instances.
    for (const [field, patch] of [
      ["TenancyConfig", { TenancyConfig: { TenantIsolationMode: "PER_TENANT" } }],
      ["PublishTo", { PublishTo: "LATEST_PUBLISHED" }],
    ] as const) {
      await expect(create(uniqueName("unsup"), "v0", patch), field).rejects.toThrow(
        new RegExp(`${field} is not supported`),
      );
    }
    await expect(
      stack.lambda.send(new PublishVersionCommand({ FunctionName: name, PublishTo: "LATEST_PUBLISHED" })),
    ).rejects.toThrow(/PublishTo is not supported/);
    await expect(
      stack.lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: name,
          ZipFile: await returning("v1"),
          PublishTo: "LATEST_PUBLISHED",
        }),
      ),
    ).rejects.toThrow(/PublishTo is not supported/);
    // What means "off" is accepted: Terraform sends these for unset blocks.
    const off = uniqueName("off");
    await create(off, "v0", { Layers: [], TracingConfig: { Mode: "PassThrough" }, DurableConfig: {} });
    // No variables: no Environment in the answer, as Lambda's (Terraform would read an empty block).
    const offConfig = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: off }));
    expect(offConfig).not.toHaveProperty("Environment");
    expect(offConfig.ImageConfigResponse).toBeUndefined();
    const after = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(after.RevisionId).toBe(created.RevisionId);
  });

  it("hands a function invoked without a payload an empty JSON object", async () => {
    const name = uniqueName("nopayload");
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs24.x",
        Role: ROLE,
        Handler: "index.handler",
        Code: { ZipFile: await nodeFunction("exports.handler = async (e) => ({ got: e });") },
      }),
    );
    const res = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(decode(res.Payload)).toEqual({ got: {} });
  });

  it("paginates ListFunctions with Marker and MaxItems", async () => {
    const account = await stack.newAccount(uniqueName("pages"));
    const client = stack.clientFor(account);
    const names = ["a", "b", "c", "d", "e"].map((p) => `${p}-${randomBytes(3).toString("hex")}`);
    for (const n of names) {
      await client.send(
        new CreateFunctionCommand({
          FunctionName: n,
          Runtime: "nodejs20.x",
          Role: ROLE,
          Handler: "index.handler",
          Code: { ZipFile: await returning(n) },
        }),
      );
    }
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      seen.push(...(page.Functions ?? []).map((f) => f.FunctionName as string));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    expect(seen).toEqual([...names].sort());
    expect(pages).toBe(3);
  });
});

describe("versions and aliases", () => {
  it("publishes immutable versions and reuses an unchanged one", async () => {
    const name = uniqueName("ver");
    await create(name, "first");
    const v1 = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name, Description: "one" }));
    expect(v1.Version).toBe("1");
    expect(v1.FunctionArn).toMatch(new RegExp(`:function:${name}:1$`));
    const again = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(again.Version).toBe("1");

    await stack.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await returning("second") }));
    await expect(
      stack.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: v1.CodeSha256 })),
    ).rejects.toBeInstanceOf(PreconditionFailedException);
    const v2 = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(v2.Version).toBe("2");

    const invoke = async (FunctionName: string, Qualifier?: string) => {
      const out = await stack.lambda.send(new InvokeCommand({ FunctionName, Qualifier }));
      return { value: decode(out.Payload), version: out.ExecutedVersion };
    };
    expect(await invoke(name, "1")).toEqual({ value: "first", version: "1" });
    expect(await invoke(`${name}:2`)).toEqual({ value: "second", version: "2" });
    expect(await invoke(name)).toEqual({ value: "second", version: "$LATEST" });

    const versions = await stack.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);
    // Listed, $LATEST's ARN names it too.
    expect(versions.Versions?.map((v) => v.FunctionArn?.split(":").pop())).toEqual(["$LATEST", "1", "2"]);
    const page = await stack.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 2 }));
    expect(page.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    expect(page.NextMarker).toBeDefined();

    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    await expect(
      stack.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("routes alias invokes by weight and reports the executed version", async () => {
    const name = uniqueName("alias");
    await create(name, "blue");
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await stack.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await returning("green") }));
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));

    const alias = await stack.lambda.send(
      new CreateAliasCommand({
        FunctionName: name,
        Name: "live",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } },
      }),
    );
    expect(alias.AliasArn).toMatch(new RegExp(`:function:${name}:live$`));
    expect(alias.RoutingConfig?.AdditionalVersionWeights).toEqual({ "2": 0.5 });
    await expect(
      stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" })),
    ).rejects.toBeInstanceOf(ResourceConflictException);

    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const out = await stack.lambda.send(new InvokeCommand({ FunctionName: `${name}:live` }));
      seen.set(out.ExecutedVersion as string, decode(out.Payload));
    }
    expect(Object.fromEntries(seen)).toEqual({ "1": "blue", "2": "green" });

    await expect(
      stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "2" })),
    ).rejects.toBeInstanceOf(ResourceConflictException);
    await expect(
      stack.lambda.send(
        new UpdateAliasCommand({
          FunctionName: name,
          Name: "live",
          FunctionVersion: "2",
          RevisionId: "00000000-0000-0000-0000-000000000000",
        }),
      ),
    ).rejects.toBeInstanceOf(PreconditionFailedException);
    const moved = await stack.lambda.send(
      new UpdateAliasCommand({
        FunctionName: name,
        Name: "live",
        FunctionVersion: "2",
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: alias.RevisionId,
      }),
    );
    expect(moved.RoutingConfig).toBeUndefined();
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: "live" }));
    expect(out.ExecutedVersion).toBe("2");
    expect((await stack.lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }))).FunctionVersion).toBe(
      "2",
    );
    const listed = await stack.lambda.send(new ListAliasesCommand({ FunctionName: name }));
    expect(listed.Aliases?.map((a) => a.Name)).toEqual(["live"]);

    await stack.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    await expect(stack.lambda.send(new GetAliasCommand({ FunctionName: name, Name: "live" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "x", FunctionVersion: "9" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      stack.lambda.send(
        new CreateAliasCommand({
          FunctionName: name,
          Name: "y",
          FunctionVersion: "1",
          RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe("configuration resources", () => {
  it("stores reserved concurrency within the account limit", async () => {
    const name = uniqueName("conc");
    await create(name);
    expect(
      (await stack.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions,
    ).toBeUndefined();
    const put = await stack.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 5 }),
    );
    expect(put.ReservedConcurrentExecutions).toBe(5);
    expect(
      (await stack.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions,
    ).toBe(5);
    await expect(
      stack.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 901 })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    const settings = await stack.lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit?.ConcurrentExecutions).toBe(1000);
    expect(settings.AccountLimit?.UnreservedConcurrentExecutions).toBeLessThanOrEqual(995);
    expect(settings.AccountUsage?.FunctionCount).toBeGreaterThan(0);
    await stack.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    expect(
      (await stack.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it("puts, updates, lists and deletes event-invoke configs", async () => {
    const name = uniqueName("eic");
    await create(name);
    await expect(
      stack.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const dest = `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:on-failure`;
    const put = await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 3,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: dest } },
      }),
    );
    expect(put).toMatchObject({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(put.LastModified).toBeInstanceOf(Date);
    const updated = await stack.lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 }),
    );
    expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 });
    expect(updated.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: { Destination: dest } });
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await stack.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: "1" }));
    const list = await stack.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name }));
    expect(list.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn?.split(":").pop())).toEqual(["$LATEST", "1"]);
    const first = await stack.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: name, MaxItems: 1 }),
    );
    expect(first.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn?.split(":").pop())).toEqual(["$LATEST"]);
    const rest = await stack.lambda.send(
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: name, Marker: first.NextMarker }),
    );
    expect(rest.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn?.split(":").pop())).toEqual(["1"]);
    expect(rest.NextMarker).toBeUndefined();
    await stack.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: "1" }));
    await expect(
      stack.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 4 })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await stack.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
    expect(
      (await stack.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name })))
        .FunctionEventInvokeConfigs,
    ).toEqual([]);
  });

  it("tags and untags a function by ARN", async () => {
    const name = uniqueName("tags");
    const fn = await create(name);
    const arn = fn.FunctionArn as string;
    await stack.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { a: "1", b: "2" } }));
    expect((await stack.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ a: "1", b: "2" });
    await stack.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["a"] }));
    expect((await stack.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ b: "2" });
    await expect(
      stack.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { "aws:x": "1" } })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe("code signing", () => {
  it("reads a function's configuration as none, refuses to attach one, and detaches none", async () => {
    const name = uniqueName("csc");
    const fn = await create(name);
    for (const FunctionName of [name, fn.FunctionArn as string]) {
      const out = await stack.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName }));
      expect({ arn: out.CodeSigningConfigArn, name: out.FunctionName }).toEqual({ arn: "", name });
    }
    const CodeSigningConfigArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:code-signing-config:csc-0123456789abcdef0`;
    const attached = stack.lambda.send(
      new PutFunctionCodeSigningConfigCommand({ FunctionName: name, CodeSigningConfigArn }),
    );
    await expect(attached).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(attached).rejects.toThrow(/CodeSigningConfigArn is not supported by Stratus/);
    await stack.lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: name }));
    const after = await stack.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: name }));
    expect(after.CodeSigningConfigArn).toBe("");
    // Another account's function is not found, for reading and for detaching.
    const other = stack.clientFor(await stack.newAccount(uniqueName("intruder")));
    for (const command of [
      new GetFunctionCodeSigningConfigCommand({ FunctionName: name }),
      new DeleteFunctionCodeSigningConfigCommand({ FunctionName: name }),
    ]) {
      await expect(other.send(command as never)).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
  });
});

describe("tenancy", () => {
  it("hides every resource of one account from another", async () => {
    const name = uniqueName("mine");
    const fn = await create(name);
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "prod", FunctionVersion: "1" }));
    const other = stack.clientFor(await stack.newAccount(uniqueName("intruder")));
    const arn = fn.FunctionArn as string;
    const attempts = [
      () => other.send(new GetFunctionCommand({ FunctionName: name })),
      () => other.send(new GetFunctionCommand({ FunctionName: arn })),
      () => other.send(new InvokeCommand({ FunctionName: `${arn}:prod` })),
      () => other.send(new GetAliasCommand({ FunctionName: name, Name: "prod" })),
      () => other.send(new CreateAliasCommand({ FunctionName: name, Name: "steal", FunctionVersion: "1" })),
      async () => other.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await returning("pwned") })),
      () => other.send(new DeleteFunctionCommand({ FunctionName: name })),
      () => other.send(new ListTagsCommand({ Resource: arn })),
      () => other.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 })),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await other.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: "prod" }));
    expect(decode(out.Payload)).toBe("v0");
  });
});
