// Local image functions (STRATUS_LOCAL_IMAGES=true): an ImageUri without a registry
// host names an image already on the nodes. Built here with docker (no registry), it
// is created with the AWS CLI and the SDK, goes Active pinned to its image ID, runs
// as locked down as a zip function; a published version keeps running that ID when
// the tag is moved; an image missing on a node fails the function naming the node;
// and Stratus never removes a local image.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { decode, useImageFunctions } from "./helpers/image-functions.js";

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL("fixtures/local-image", import.meta.url));
const files = useImageFunctions("stratus-local-images-", { controlPlaneEnv: { STRATUS_LOCAL_IMAGES: "true" } });
const { stack, docker, aws, settled, made } = files;
const repo = uniqueName("stratus-local-test");
/** The tag functions name, and the IDs of the two builds. */
const tag = `${repo}:v1`;
let first: string;
let second: string;

/** Builds the fixture as `ref` with IMAGE_VERSION `version`; returns its image ID. */
async function build(ref: string, version: string): Promise<string> {
  await run("docker", ["build", "-q", "--build-arg", `IMAGE_VERSION=${version}`, "-t", ref, FIXTURE], {
    timeout: 300_000,
  });
  return (await docker.getImage(ref).inspect()).Id;
}

beforeAll(async () => {
  made.add(tag).add(`${repo}:two`);
  first = await build(tag, "1");
  made.add(first);
  second = await build(`${repo}:two`, "2");
  made.add(second);
}, 600_000);

describe("local image functions", () => {
  it("are created with the AWS CLI from an image on the node, go Active pinned to its ID, and run it locked down", async () => {
    const name = uniqueName("local");
    const created = await aws(
      "lambda",
      "create-function",
      "--function-name",
      name,
      "--package-type",
      "Image",
      "--code",
      `ImageUri=${tag}`,
      "--role",
      ROLE,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ PackageType: "Image", State: "Pending" });

    const got = await settled(name);
    expect(got.Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    expect(got.Code?.ImageUri).toBe(tag);
    expect(got.Code?.ResolvedImageUri).toBe(`${repo}@${first}`);
    expect(Buffer.from(got.Configuration?.CodeSha256 ?? "", "base64").toString("hex")).toBe(first.split(":")[1]);

    const out = await aws("lambda", "invoke", "--function-name", name, path.join(files.dir, "out.json"));
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).FunctionError).toBeUndefined();
    const body = JSON.parse(await readFile(path.join(files.dir, "out.json"), "utf8"));
    expect(body).toMatchObject({ version: "1", functionName: name, handler: "app.handler", uid: 10001 });

    const [id] = stack.invoker.pool.containerIdsOf(name);
    const info = await docker.getContainer(id as string).inspect();
    expect(info.Image).toBe(first);
    expect(info.Config.User).toBe("10001:10001");
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges:true");

    // Deleting the function never removes the operator's image.
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await stack.invoker.pool.sweepImages();
    await expect(docker.getImage(first).inspect()).resolves.toMatchObject({ Id: first });
  });

  it("keep a published version (SDK) on its image ID when the tag is moved to another image", async () => {
    const name = uniqueName("localpub");
    const created = await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        PackageType: "Image",
        Code: { ImageUri: tag },
        Role: ROLE,
        Publish: true,
      }),
    );
    expect(created.Version).toBe("1");
    await run("docker", ["tag", `${repo}:two`, tag]);
    expect((await docker.getImage(tag).inspect()).Id).toBe(second);

    const v1 = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Qualifier: "1", Payload: Buffer.from('{"a":1}') }),
    );
    expect(v1.FunctionError, Buffer.from(v1.Payload ?? []).toString()).toBeUndefined();
    expect(decode(v1.Payload)).toMatchObject({ event: { a: 1 }, version: "1" });

    await stack.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ImageUri: tag }));
    const latest = await settled(name);
    expect(latest.Code?.ResolvedImageUri).toBe(`${repo}@${second}`);
    const runLatest = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    expect(decode(runLatest.Payload).version).toBe("2");
    const again = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    expect(again.Code?.ResolvedImageUri).toBe(`${repo}@${first}`);
    const runV1 = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Qualifier: "1", Payload: Buffer.from("{}") }),
    );
    expect(decode(runV1.Payload).version).toBe("1");
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });

  it("fail with ImageDeleted naming the node when the image is not on it, and refuse invokes", async () => {
    const name = uniqueName("localnone");
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        PackageType: "Image",
        Code: { ImageUri: `${repo}-absent:v1` },
        Role: ROLE,
      }),
    );
    const got = await settled(name);
    expect(got.Configuration).toMatchObject({ State: "Failed", StateReasonCode: "ImageDeleted" });
    expect(got.Configuration?.StateReason).toContain(`node ${stack.nodeId}`);
    await expect(stack.lambda.send(new InvokeCommand({ FunctionName: name }))).rejects.toMatchObject({
      name: "ResourceConflictException",
    });
    const cli = await aws("lambda", "get-function", "--function-name", name);
    expect(JSON.parse(cli.stdout).Configuration).toMatchObject({ State: "Failed", StateReasonCode: "ImageDeleted" });
  });
});
