// Lambda layers against a live stack on real Docker: every layer operation through
// the JS SDK and the real AWS CLI; Node (require and ESM import), Python and a custom
// runtime finding layer code at /opt, a later layer's file winning, /opt read-only,
// stem cells serving functions with layers; a deleted layer version that functions
// keep using; sharing with another account; and bad input refused with nothing stored.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AddLayerVersionPermissionCommand,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteLayerVersionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  InvokeCommand,
  type LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  type PublishLayerVersionCommandInput,
  PublishVersionCommand,
  RemoveLayerVersionPermissionCommand,
  type Runtime,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { hostileZips } from "./helpers/hostile-zips.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip, shellBootstrap, type ZipFiles } from "./helpers/zip.js";

const stack = useStack({ STRATUS_STEM_CELLS_PER_RUNTIME: "1" });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-layers-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const ROLE = "arn:aws:iam::123456789012:role/r";

async function publish(
  name: string,
  files: ZipFiles,
  more: Partial<PublishLayerVersionCommandInput> = {},
  client: LambdaClient = stack.lambda,
) {
  const out = await client.send(
    new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: await makeZip(files) }, ...more }),
  );
  if (!out.LayerVersionArn) throw new Error("no LayerVersionArn");
  return { ...out, LayerVersionArn: out.LayerVersionArn };
}

async function createFunction(
  runtime: Runtime,
  handler: string,
  files: ZipFiles,
  layers: string[],
  more: Partial<CreateFunctionCommandInput> = {},
  client: LambdaClient = stack.lambda,
) {
  const name = unique(runtime.replace(/\W/g, ""));
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime,
      Role: ROLE,
      Handler: handler,
      Code: { ZipFile: await makeZip(files) },
      Layers: layers,
      ...more,
    }),
  );
  return name;
}

async function invoke(name: string, client: LambdaClient = stack.lambda, qualifier?: string) {
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}"), Qualifier: qualifier }),
  );
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  return { error: out.FunctionError, text, body: JSON.parse(text || "null") };
}

/** The error a call was refused with: its exception name and message. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error("the call was not refused");
}

const coldStarts = async (runtime: string) => ({
  stem: await metricValue(stack.invoker.url, "stratus_cold_starts_total", { runtime, kind: "stem_cell" }),
  scratch: await metricValue(stack.invoker.url, "stratus_cold_starts_total", { runtime, kind: "scratch" }),
});
const stemReady = (runtime: string) =>
  until(`a ready ${runtime} stem cell`, async () => (stack.invoker.pool.stats().stemCells[runtime] ?? 0) > 0, 30_000);

/** A Node library in a layer: a package with a CommonJS and an ES-module entry, and a file a later layer replaces. */
const NODE_LIB: ZipFiles = {
  "nodejs/node_modules/greet/package.json": JSON.stringify({
    name: "greet",
    exports: { import: "./esm.mjs", require: "./cjs.js" },
  }),
  "nodejs/node_modules/greet/cjs.js": 'exports.hello = (n) => "hello " + n + " from cjs";',
  "nodejs/node_modules/greet/esm.mjs": 'export const hello = (n) => "hello " + n + " from esm";',
  "nodejs/node_modules/which/index.js": 'module.exports = "first layer";',
  "nodejs/node22/node_modules/only22/index.js": 'module.exports = "node22 directory";',
  "bin/layer-tool": { content: "#!/bin/sh\necho tool from the layer\n", mode: 0o755 },
};
const OVERRIDE: ZipFiles = { "nodejs/node_modules/which/index.js": 'module.exports = "second layer";' };

/** Handlers that report what they found: `index.handler` through require, `esm.handler` through import. */
const NODE_APP: ZipFiles = {
  "index.js": `const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
exports.handler = async () => {
  let write;
  try { fs.writeFileSync("/opt/x", "x"); write = "written"; } catch (err) { write = err.code; }
  return {
    greet: require("greet").hello("cjs user"),
    which: require("which"),
    only22: require("only22"),
    dynamicImport: (await import("greet")).hello("dynamic"),
    tool: execFileSync("layer-tool", { encoding: "utf8" }).trim(),
    write,
  };
};`,
  "esm.mjs": `import { hello } from "greet";
import which from "which";
export const handler = async () => ({ greet: hello("esm user"), which });`,
};

describe("layer operations through the SDK", () => {
  it("publishes, reads, lists, pages and deletes layer versions; numbers are never reused", async () => {
    const name = unique("sdk");
    const v1 = await publish(
      name,
      { "python/a.py": "A = 1\n" },
      {
        CompatibleRuntimes: ["nodejs22.x"],
        CompatibleArchitectures: ["x86_64"],
        Description: "first",
        LicenseInfo: "MIT",
      },
    );
    const zip = await makeZip({ "python/a.py": "A = 2\n" });
    const v2 = await stack.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: name,
        Content: { ZipFile: zip },
        CompatibleRuntimes: ["python3.11"],
      }),
    );
    expect(v1).toMatchObject({
      LayerArn: `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:layer:${name}`,
      LayerVersionArn: `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:layer:${name}:1`,
      Version: 1,
      Description: "first",
      LicenseInfo: "MIT",
      CompatibleRuntimes: ["nodejs22.x"],
      CompatibleArchitectures: ["x86_64"],
    });
    expect(v1.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(v2.Version).toBe(2);
    expect(v2.Content?.CodeSha256).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(v2.Content?.CodeSize).toBe(zip.length);
    // Content.Location downloads the zip itself.
    const downloaded = Buffer.from(await (await fetch(v2.Content?.Location as string)).arrayBuffer());
    expect(downloaded.equals(zip)).toBe(true);

    const got = await stack.lambda.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: 1 }));
    expect(got).toMatchObject({ LayerVersionArn: v1.LayerVersionArn, Description: "first", Version: 1 });
    const byArn = await stack.lambda.send(new GetLayerVersionByArnCommand({ Arn: v1.LayerVersionArn }));
    expect(byArn.Content?.CodeSha256).toBe(v1.Content?.CodeSha256);

    const versions = await stack.lambda.send(new ListLayerVersionsCommand({ LayerName: name }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([2, 1]);
    const python = await stack.lambda.send(
      new ListLayerVersionsCommand({ LayerName: name, CompatibleRuntime: "python3.11" }),
    );
    expect(python.LayerVersions?.map((v) => v.Version)).toEqual([2]);
    const first = await stack.lambda.send(new ListLayerVersionsCommand({ LayerName: name, MaxItems: 1 }));
    expect(first.LayerVersions?.map((v) => v.Version)).toEqual([2]);
    const rest = await stack.lambda.send(
      new ListLayerVersionsCommand({ LayerName: name, MaxItems: 1, Marker: first.NextMarker }),
    );
    expect(rest.LayerVersions?.map((v) => v.Version)).toEqual([1]);
    expect(rest.NextMarker).toBeUndefined();

    const layers = await stack.lambda.send(new ListLayersCommand({}));
    const mine = layers.Layers?.find((l) => l.LayerName === name);
    expect(mine?.LatestMatchingVersion?.Version).toBe(2);
    const node = await stack.lambda.send(new ListLayersCommand({ CompatibleRuntime: "nodejs22.x" }));
    expect(node.Layers?.find((l) => l.LayerName === name)?.LatestMatchingVersion?.Version).toBe(1);

    await stack.lambda.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 2 }));
    expect(
      (await refusal(stack.lambda.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: 2 })))).name,
    ).toBe("ResourceNotFoundException");
    const v3 = await publish(name, { "python/a.py": "A = 3\n" });
    expect(v3.Version).toBe(3);
  });

  it("shares a layer version with another account, which may use it only while shared", async () => {
    const other: Credentials = await stack.newAccount(unique("other"));
    const otherClient = stack.clientFor(other);
    const name = unique("shared");
    const layer = await publish(name, NODE_LIB, {}, otherClient);
    const app = { "index.js": 'exports.handler = async () => require("greet").hello("shared");' };

    // Not shared: refused, and nothing stored.
    const denied = await refusal(createFunction("nodejs22.x", "index.handler", app, [layer.LayerVersionArn]));
    expect(denied.name).toBe("AccessDeniedException");
    expect(
      (await refusal(stack.lambda.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn })))).name,
    ).toBe("AccessDeniedException");

    const added = await otherClient.send(
      new AddLayerVersionPermissionCommand({
        LayerName: name,
        VersionNumber: 1,
        StatementId: "to-caller",
        Action: "lambda:GetLayerVersion",
        Principal: stack.credentials.accountId,
      }),
    );
    expect(JSON.parse(added.Statement as string)).toMatchObject({
      Sid: "to-caller",
      Effect: "Allow",
      Action: "lambda:GetLayerVersion",
      Resource: layer.LayerVersionArn,
    });
    const policy = await otherClient.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 }));
    expect(JSON.parse(policy.Policy as string).Statement).toHaveLength(1);
    expect(policy.RevisionId).toBe(added.RevisionId);

    const got = await stack.lambda.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn }));
    expect(got.Version).toBe(1);
    const fn = await createFunction("nodejs22.x", "index.handler", app, [layer.LayerVersionArn]);
    expect((await invoke(fn)).body).toBe("hello shared from cjs");

    await otherClient.send(
      new RemoveLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 1, StatementId: "to-caller" }),
    );
    expect(
      (await refusal(stack.lambda.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn })))).name,
    ).toBe("AccessDeniedException");
    expect(
      (await refusal(otherClient.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 })))).name,
    ).toBe("ResourceNotFoundException");
    // The function that pinned it keeps it.
    expect((await invoke(fn)).body).toBe("hello shared from cjs");

    // Shared with everyone.
    await otherClient.send(
      new AddLayerVersionPermissionCommand({
        LayerName: name,
        VersionNumber: 1,
        StatementId: "everyone",
        Action: "lambda:GetLayerVersion",
        Principal: "*",
      }),
    );
    expect((await stack.lambda.send(new GetLayerVersionByArnCommand({ Arn: layer.LayerVersionArn }))).Version).toBe(1);
    // Only its owner changes it.
    const change = await refusal(
      stack.lambda.send(new DeleteLayerVersionCommand({ LayerName: layer.LayerArn, VersionNumber: 1 })),
    );
    expect(change.name).toBe("AccessDeniedException");
  });
});

describe("functions with layers", () => {
  it("a Node function requires and imports libraries from its layers, a later layer winning, on a stem cell and from scratch", async () => {
    const lib = await publish(unique("nodelib"), NODE_LIB, { CompatibleRuntimes: ["nodejs22.x"] });
    const override = await publish(unique("override"), OVERRIDE);
    const layers = [lib.LayerVersionArn, override.LayerVersionArn];

    // On a stem cell.
    const stemmed = await createFunction("nodejs22.x", "index.handler", NODE_APP, layers);
    await stemReady("nodejs22.x");
    const before = await coldStarts("nodejs22.x");
    const cjs = await invoke(stemmed);
    expect(cjs.error, cjs.text).toBeUndefined();
    expect((await coldStarts("nodejs22.x")).stem).toBe(before.stem + 1);
    expect(cjs.body).toEqual({
      greet: "hello cjs user from cjs",
      which: "second layer",
      only22: "node22 directory",
      dynamicImport: "hello dynamic from esm",
      tool: "tool from the layer",
      write: "EROFS",
    });

    // From scratch (a /tmp size no stem cell has): the same.
    const scratch = await createFunction("nodejs22.x", "index.handler", NODE_APP, layers, {
      EphemeralStorage: { Size: 1024 },
    });
    const scratchBefore = await coldStarts("nodejs22.x");
    expect((await invoke(scratch)).body).toEqual(cjs.body);
    expect((await coldStarts("nodejs22.x")).scratch).toBe(scratchBefore.scratch + 1);

    // An ES-module handler's static import.
    const esm = await createFunction("nodejs22.x", "esm.handler", NODE_APP, layers);
    const imported = await invoke(esm);
    expect(imported.error, imported.text).toBeUndefined();
    expect(imported.body).toEqual({ greet: "hello esm user from esm", which: "second layer" });

    // The other order is another /opt: the first layer's file wins then.
    const reversed = await createFunction("nodejs22.x", "esm.handler", NODE_APP, [...layers].reverse());
    expect((await invoke(reversed)).body).toMatchObject({ which: "first layer" });

    const config = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: stemmed }));
    expect(config.Layers).toEqual([
      { Arn: lib.LayerVersionArn, CodeSize: lib.Content?.CodeSize },
      { Arn: override.LayerVersionArn, CodeSize: override.Content?.CodeSize },
    ]);
  });

  it("a Python function imports from /opt/python and its site-packages", async () => {
    const layer = await publish(unique("pylib"), {
      "python/pyhello.py": 'def hello(n):\n    return f"hello {n} from /opt/python"\n',
      "python/lib/python3.11/site-packages/sitepkg/__init__.py": 'WHERE = "site-packages"\n',
    });
    const fn = await createFunction(
      "python3.11",
      "app.handler",
      {
        "app.py": [
          "import pyhello, sitepkg, os",
          "def handler(event, context):",
          '    return {"hello": pyhello.hello("py"), "where": sitepkg.WHERE, "path": os.environ["PATH"]}',
          "",
        ].join("\n"),
      },
      [layer.LayerVersionArn],
    );
    const out = await invoke(fn);
    expect(out.error, out.text).toBeUndefined();
    expect(out.body).toMatchObject({ hello: "hello py from /opt/python", where: "site-packages" });
    expect(out.body.path.split(":")).toContain("/opt/bin");
  });

  it("a custom runtime finds /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH", async () => {
    const layer = await publish(unique("tools"), {
      "bin/layer-tool": { content: "#!/bin/sh\necho tool from the layer\n", mode: 0o755 },
    });
    const respond = `out="$(layer-tool)|$LD_LIBRARY_PATH"; curl -sS -o /dev/null -X POST -d "\\"$out\\"" "$api/$id/response"`;
    const fn = await createFunction("provided.al2023", "x", { bootstrap: shellBootstrap(respond) }, [
      layer.LayerVersionArn,
    ]);
    const out = await invoke(fn);
    expect(out.error, out.text).toBeUndefined();
    const [tool, libs] = String(out.body).split("|");
    expect(tool).toBe("tool from the layer");
    expect(libs?.split(":")).toContain("/opt/lib");
  });

  it("a custom runtime may take its bootstrap from a layer, and then cannot drop the layer", async () => {
    const respond = `curl -sS -o /dev/null -X POST -d '"from /opt/bootstrap"' "$api/$id/response"`;
    const runtime = await publish(unique("runtime"), { bootstrap: shellBootstrap(respond) });
    const fn = await createFunction("provided.al2023", "x", { "main.sh": "" }, [runtime.LayerVersionArn]);
    const out = await invoke(fn);
    expect(out.error, out.text).toBeUndefined();
    expect(out.body).toBe("from /opt/bootstrap");
    const dropped = await refusal(
      stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: [] })),
    );
    expect(dropped).toMatchObject({ name: "InvalidParameterValueException" });
    expect(dropped.message).toContain("bootstrap");
  });

  it("deleting a layer version leaves the functions and versions using it working", async () => {
    const name = unique("doomed");
    const layer = await publish(name, NODE_LIB);
    const fn = await createFunction("nodejs22.x", "index.handler", NODE_APP, [layer.LayerVersionArn]);
    const published = await stack.lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await stack.lambda.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 1 }));
    // First invocations after the deletion: the node fetches the layer's content now.
    expect((await invoke(fn)).body).toMatchObject({ which: "first layer", tool: "tool from the layer" });
    expect((await invoke(fn, stack.lambda, published.Version)).body).toMatchObject({ which: "first layer" });
    const config = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(config.Layers?.[0]?.Arn).toBe(layer.LayerVersionArn);
    // A new use of the deleted version is refused.
    const refused = await refusal(createFunction("nodejs22.x", "index.handler", NODE_APP, [layer.LayerVersionArn]));
    expect(refused).toMatchObject({ name: "InvalidParameterValueException" });
    expect(refused.message).toContain("does not exist");
  });
});

describe("bad input is refused with nothing stored", () => {
  it("six layers, an unknown ARN, an incompatible runtime: no function, configuration unchanged", async () => {
    const layer = await publish(unique("py-only"), { "python/x.py": "" }, { CompatibleRuntimes: ["python3.11"] });
    const fine = await publish(unique("fine"), { "nodejs/node_modules/x/index.js": "" });
    const app = { "index.js": "exports.handler = async () => 1;" };
    const arn = (n: number) => `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:layer:l${n}:1`;
    const cases: Array<[string, string[], RegExp]> = [
      ["six layers", [1, 2, 3, 4, 5, 6].map(arn), /at most 5/],
      ["an unknown layer version", [`${fine.LayerArn}:99`], /does not exist/],
      ["a runtime the layer does not list", [layer.LayerVersionArn], /not compatible/],
      ["something that is not a layer version ARN", ["my-layer"], /not a layer version ARN/],
      ["two versions of one layer", [fine.LayerVersionArn, fine.LayerVersionArn], /same layer/],
    ];
    for (const [what, layers, message] of cases) {
      const name = unique("bad");
      const refused = await refusal(
        stack.lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Runtime: "nodejs22.x",
            Role: ROLE,
            Handler: "index.handler",
            Code: { ZipFile: await makeZip(app) },
            Layers: layers,
          }),
        ),
      );
      expect(refused.name, what).toBe("InvalidParameterValueException");
      expect(refused.message, what).toMatch(message);
      expect((await refusal(stack.lambda.send(new GetFunctionCommand({ FunctionName: name })))).name).toBe(
        "ResourceNotFoundException",
      );
    }
    // UpdateFunctionConfiguration: refused, the function's layers unchanged.
    const fn = await createFunction("nodejs22.x", "index.handler", app, [fine.LayerVersionArn]);
    const update = await refusal(
      stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: [layer.LayerVersionArn] })),
    );
    expect(update.name).toBe("InvalidParameterValueException");
    // A runtime change the kept layer does not allow is refused too.
    const runtime = await refusal(
      stack.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: fn, Runtime: "python3.11", Handler: "index.handler" }),
      ),
    );
    expect(runtime.name).toBe("InvalidParameterValueException");
    const config = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    expect(config.Layers?.map((l) => l.Arn)).toEqual([fine.LayerVersionArn]);
    expect(config.Runtime).toBe("nodejs22.x");
    // Removing every layer is allowed.
    const cleared = await stack.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: [] }));
    expect(cleared.Layers).toBeUndefined();
  });

  it("a layer zip that breaks the zip rules, S3 content and unknown parameters: no layer version", async () => {
    const zips = await hostileZips();
    for (const [what, zip] of zips.slice(0, 5)) {
      const name = unique("hostile");
      const refused = await refusal(
        stack.lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: zip } })),
      );
      expect(refused.name, what).toBe("InvalidParameterValueException");
      expect(refused.message, what).toMatch(/^Content\.ZipFile: /);
      const left = await stack.lambda.send(new ListLayerVersionsCommand({ LayerName: name }));
      expect(left.LayerVersions, what).toEqual([]);
    }
    const name = unique("s3");
    const s3 = await refusal(
      stack.lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { S3Bucket: "b", S3Key: "k" } })),
    );
    expect(s3).toMatchObject({ name: "InvalidParameterValueException" });
    expect(s3.message).toContain("Content.S3Bucket");
    const unknown = await refusal(
      stack.lambda.send(
        new PublishLayerVersionCommand({
          LayerName: name,
          Content: { ZipFile: await makeZip({ "a.txt": "a" }) },
          CompatibleRuntimes: ["cobol85"],
        } as unknown as PublishLayerVersionCommandInput),
      ),
    );
    expect(unknown.message).toContain("CompatibleRuntimes");
    expect((await stack.lambda.send(new ListLayerVersionsCommand({ LayerName: name }))).LayerVersions).toEqual([]);
  });
});

describe("the AWS CLI", () => {
  const aws = (...args: string[]) => runAwsCli(stack, dir, args);
  const json = async (...args: string[]) => {
    const out = await aws(...args);
    expect(out.code, out.stderr).toBe(0);
    return out.stdout.trim() ? JSON.parse(out.stdout) : {};
  };

  it("drives every layer operation and a function's layers", async () => {
    const name = unique("cli");
    await writeFile(path.join(dir, "l.zip"), await makeZip(NODE_LIB));
    const published = await json(
      "lambda",
      "publish-layer-version",
      "--layer-name",
      name,
      "--zip-file",
      "fileb://l.zip",
      "--compatible-runtimes",
      "nodejs22.x",
      "--description",
      "from the CLI",
    );
    expect(published).toMatchObject({ Version: 1, CompatibleRuntimes: ["nodejs22.x"], Description: "from the CLI" });
    const arn: string = published.LayerVersionArn;
    expect(
      (await json("lambda", "get-layer-version", "--layer-name", name, "--version-number", "1")).LayerVersionArn,
    ).toBe(arn);
    expect((await json("lambda", "get-layer-version-by-arn", "--arn", arn)).Version).toBe(1);
    const listed = await json("lambda", "list-layers", "--compatible-runtime", "nodejs22.x");
    expect(listed.Layers.map((l: { LayerName: string }) => l.LayerName)).toContain(name);
    expect((await json("lambda", "list-layer-versions", "--layer-name", name)).LayerVersions).toHaveLength(1);

    const other = await stack.newAccount(unique("cli-other"));
    const added = await json(
      "lambda",
      "add-layer-version-permission",
      "--layer-name",
      name,
      "--version-number",
      "1",
      "--statement-id",
      "share",
      "--action",
      "lambda:GetLayerVersion",
      "--principal",
      other.accountId,
    );
    expect(JSON.parse(added.Statement).Sid).toBe("share");
    const policy = await json("lambda", "get-layer-version-policy", "--layer-name", name, "--version-number", "1");
    expect(JSON.parse(policy.Policy).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${other.accountId}:root` });
    const asOther = await runAwsCli({ ...stack, credentials: other }, dir, [
      "lambda",
      "get-layer-version-by-arn",
      "--arn",
      arn,
    ]);
    expect(asOther.code, asOther.stderr).toBe(0);
    await json(
      "lambda",
      "remove-layer-version-permission",
      "--layer-name",
      name,
      "--version-number",
      "1",
      "--statement-id",
      "share",
    );
    const deniedNow = await runAwsCli({ ...stack, credentials: other }, dir, [
      "lambda",
      "get-layer-version-by-arn",
      "--arn",
      arn,
    ]);
    expect(deniedNow.code).not.toBe(0);
    expect(deniedNow.stderr).toContain("AccessDeniedException");

    const fn = unique("cli-fn");
    await writeFile(path.join(dir, "fn.zip"), await makeZip(NODE_APP));
    await json(
      "lambda",
      "create-function",
      "--function-name",
      fn,
      "--runtime",
      "nodejs22.x",
      "--handler",
      "esm.handler",
      "--role",
      ROLE,
      "--zip-file",
      "fileb://fn.zip",
    );
    const override = await publish(unique("cli-override"), OVERRIDE);
    const updated = await json(
      "lambda",
      "update-function-configuration",
      "--function-name",
      fn,
      "--layers",
      arn,
      override.LayerVersionArn,
    );
    expect(updated.Layers.map((l: { Arn: string }) => l.Arn)).toEqual([arn, override.LayerVersionArn]);
    const config = await json("lambda", "get-function-configuration", "--function-name", fn);
    expect(config.Layers[0]).toEqual({ Arn: arn, CodeSize: published.Content.CodeSize });
    await json("lambda", "invoke", "--function-name", fn, "out.json");
    expect(JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"))).toEqual({
      greet: "hello esm user from esm",
      which: "second layer",
    });

    const six = await aws(
      "lambda",
      "update-function-configuration",
      "--function-name",
      fn,
      "--layers",
      ...Array.from({ length: 6 }, () => arn),
    );
    expect(six.code).not.toBe(0);
    expect(six.stderr).toContain("InvalidParameterValueException");

    await json("lambda", "delete-layer-version", "--layer-name", name, "--version-number", "1");
    const gone = await aws("lambda", "get-layer-version", "--layer-name", name, "--version-number", "1");
    expect(gone.stderr).toContain("ResourceNotFoundException");
  });
});
