// Container image functions (PackageType Image) end to end: an image built from the
// example (AWS's aws-lambda-ric as its entry point), pushed to a registry of the
// test's own on loopback, created with the AWS CLI and the SDK, Active once its digest
// is resolved and pulled; a published version keeps its digest when the tag moves;
// an image that is not there fails the function with ImageDeleted; an image without a
// runtime client answers Runtime.InvalidEntrypoint; its container is as locked down as
// a zip function's; and its image leaves the node with the function.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  PublishVersionCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { decode, useImageFunctions } from "./helpers/image-functions.js";
import { waitFor } from "./helpers/poll.js";
import { startRegistry, type TestRegistry } from "./helpers/registry.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const files = useImageFunctions("stratus-images-");
const { stack, docker, aws, settled, made } = files;
let registry: TestRegistry;
let repo: string;

/** Builds the example as `tag` (IMAGE_VERSION `version`), pushes it, and drops the local tag so nodes must pull. */
async function pushExample(tag: string, version: string): Promise<void> {
  await run("bash", [path.join(ROOT, "examples/image-node/build.sh"), tag, version], { timeout: 600_000 });
  await pushAndForget(tag);
}

async function pushAndForget(tag: string): Promise<void> {
  made.add(tag);
  await run("docker", ["push", tag], { timeout: 120_000 });
  await docker.getImage(tag).remove();
}

beforeAll(async () => {
  registry = await startRegistry();
  repo = `${registry.host}/stratus-test/${uniqueName("node")}`;
  await pushExample(`${repo}:live`, "1");
}, 900_000);

afterAll(async () => {
  await registry?.close();
});

describe("image functions", () => {
  let name: string;
  let firstDigest: string;

  it("are created from a registry image with the AWS CLI, go Active pinned to its digest, and run it", async () => {
    name = uniqueName("img");
    const created = await aws(
      "lambda",
      "create-function",
      "--function-name",
      name,
      "--package-type",
      "Image",
      "--code",
      `ImageUri=${repo}:live`,
      "--role",
      ROLE,
      "--memory-size",
      "256",
    );
    expect(created.code, created.stderr).toBe(0);
    const shape = JSON.parse(created.stdout);
    expect(shape).toMatchObject({ PackageType: "Image", State: "Pending", LastUpdateStatus: "InProgress" });
    expect(shape.Runtime).toBeUndefined();
    expect(shape.Handler).toBeUndefined();

    const got = await settled(name);
    expect(got.Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful", PackageType: "Image" });
    expect(got.Code?.RepositoryType).toBe("ECR");
    expect(got.Code?.ImageUri).toBe(`${repo}:live`);
    expect(got.Code?.ResolvedImageUri).toMatch(new RegExp(`^${repo.replace(/[.]/g, "\\.")}@sha256:[0-9a-f]{64}$`));
    firstDigest = got.Code?.ResolvedImageUri as string;
    // The code digest is the image's, as Lambda reports it.
    expect(Buffer.from(got.Configuration?.CodeSha256 ?? "", "base64").toString("hex")).toBe(
      firstDigest.split(":").pop(),
    );

    const out = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ hello: "image" })) }),
    );
    expect(out.FunctionError, Buffer.from(out.Payload ?? []).toString()).toBeUndefined();
    expect(decode(out.Payload)).toMatchObject({
      event: { hello: "image" },
      functionName: name,
      version: "1",
      handler: "app.handler",
    });

    const bare = await aws("lambda", "invoke", "--function-name", name, path.join(files.dir, "bare.json"));
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout).FunctionError).toBeUndefined();
  });

  it("run as locked down as a zip function's: non-root, read-only root, memory capped, no code mounted", async () => {
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    const body = decode(out.Payload);
    expect(body.uid).toBe(10001);
    expect(body.memoryLimit).toBe(String(256 * 1024 * 1024));
    const [id] = stack.invoker.pool.containerIdsOf(name);
    const info = await docker.getContainer(id as string).inspect();
    expect(info.Config.Image).toBe(firstDigest);
    expect(info.Config.User).toBe("10001:10001");
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.MemorySwap).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    const env = Object.fromEntries((info.Config.Env ?? []).map((e) => e.split(/=(.*)/s).slice(0, 2)));
    expect(env).toMatchObject({ _HANDLER: "app.handler", LAMBDA_TASK_ROOT: "/var/task" });
    expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^\d+\.\d+\.\d+\.\d+:\d+$/);
  });

  it("keep a published version on its digest when the tag moves; $LATEST runs the new image after update-function-code", async () => {
    const published = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(published.Version).toBe("1");
    await pushExample(`${repo}:live`, "2");

    const updated = await aws("lambda", "update-function-code", "--function-name", name, "--image-uri", `${repo}:live`);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).LastUpdateStatus).toBe("InProgress");
    const latest = await settled(name);
    expect(latest.Configuration?.LastUpdateStatus).toBe("Successful");
    expect(latest.Code?.ResolvedImageUri).not.toBe(firstDigest);

    const v1 = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    expect(v1.Code?.ResolvedImageUri).toBe(firstDigest);
    const runLatest = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    expect(decode(runLatest.Payload).version).toBe("2");
    const runV1 = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Qualifier: "1", Payload: Buffer.from("{}") }),
    );
    expect(decode(runV1.Payload).version).toBe("1");
  });

  it("take ImageConfig (SDK): a replaced command is the handler, and it is reported back", async () => {
    const fn = uniqueName("imgcfg");
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        PackageType: "Image",
        Code: { ImageUri: `${repo}:live` },
        Role: ROLE,
        ImageConfig: { Command: ["app.handler"], WorkingDirectory: "/var/task" },
      }),
    );
    const got = await settled(fn);
    expect(got.Configuration?.ImageConfigResponse?.ImageConfig).toEqual({
      Command: ["app.handler"],
      WorkingDirectory: "/var/task",
    });
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from('{"a":1}') }));
    expect(decode(out.Payload)).toMatchObject({ event: { a: 1 }, handler: "app.handler" });
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
  });

  it("fail with ImageDeleted when the image is not in its registry, and refuse invokes meanwhile", async () => {
    const fn = uniqueName("imgnone");
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        PackageType: "Image",
        Code: { ImageUri: `${registry.host}/stratus-test/not-there:1` },
        Role: ROLE,
      }),
    );
    const got = await settled(fn);
    expect(got.Configuration).toMatchObject({ State: "Failed", StateReasonCode: "ImageDeleted" });
    expect(got.Configuration?.StateReason).toMatch(/does not exist/);
    await expect(stack.lambda.send(new InvokeCommand({ FunctionName: fn }))).rejects.toMatchObject({
      name: "ResourceConflictException",
    });
  });

  it("answer Runtime.InvalidEntrypoint for an image without a runtime client", async () => {
    const ctx = await mkdtemp(path.join(tmpdir(), "stratus-noclient-"));
    const tag = `${registry.host}/stratus-test/${uniqueName("noclient")}:1`;
    try {
      await writeFile(path.join(ctx, "Dockerfile"), 'FROM stratus/base:bookworm\nCMD ["echo", "no client here"]\n');
      await run("docker", ["build", "-q", "-t", tag, ctx], { timeout: 120_000 });
      await pushAndForget(tag);
    } finally {
      await rm(ctx, { recursive: true, force: true });
    }
    const fn = uniqueName("imgbad");
    await stack.lambda.send(
      new CreateFunctionCommand({ FunctionName: fn, PackageType: "Image", Code: { ImageUri: tag }, Role: ROLE }),
    );
    expect((await settled(fn)).Configuration?.State).toBe("Active");
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out.Payload).errorType).toBe("Runtime.InvalidEntrypoint");
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
  });

  it("refuse what only zip functions have, and zip code for an image function", async () => {
    const withRuntime = await aws(
      "lambda",
      "create-function",
      "--function-name",
      uniqueName("imgrt"),
      "--package-type",
      "Image",
      "--code",
      `ImageUri=${repo}:live`,
      "--runtime",
      "nodejs24.x",
      "--role",
      ROLE,
    );
    expect(withRuntime.code).not.toBe(0);
    expect(withRuntime.stderr).toMatch(/InvalidParameterValueException.*Handler or Runtime or Layer/);
    const badUri = await aws(
      "lambda",
      "create-function",
      "--function-name",
      uniqueName("imguri"),
      "--package-type",
      "Image",
      "--code",
      "ImageUri=no-registry-here",
      "--role",
      ROLE,
    );
    expect(badUri.stderr).toMatch(/InvalidParameterValueException.*ImageUri/);
    await writeFile(path.join(files.dir, "x.zip"), Buffer.from("PK\x05\x06".padEnd(22, "\0"), "binary"));
    const zip = await aws("lambda", "update-function-code", "--function-name", name, "--zip-file", "fileb://x.zip");
    expect(zip.stderr).toMatch(/InvalidParameterValueException.*provide ImageUri/);
  });

  it("leave the node with the function: its pulled images are removed once it is deleted", async () => {
    const latest = (await settled(name)).Code?.ResolvedImageUri as string;
    await expect(docker.getImage(latest).inspect()).resolves.toBeDefined();
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    for (const ref of [firstDigest, latest]) {
      await waitFor(
        async () =>
          (await docker
            .getImage(ref)
            .inspect()
            .catch(() => undefined))
            ? undefined
            : true,
        30_000,
        { what: `${ref} to be removed from the node` },
      );
    }
  });
});
