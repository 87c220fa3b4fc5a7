// What the image function test files (registry images, local images) share: a stack,
// the AWS CLI run in a folder of the file's own, waiting for a function to settle, and
// the images the file made removed from the engine when it ends.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetFunctionCommand, type GetFunctionCommandOutput } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { afterAll, beforeAll } from "vitest";
import { type CliResult, runAwsCli } from "./aws-cli.js";
import { waitFor } from "./poll.js";
import type { PlatformOptions, Stack } from "./stack.js";
import { useStack } from "./use-stack.js";

export interface ImageFunctionsFile {
  stack: Stack;
  docker: Docker;
  /** The file's folder, the AWS CLI's HOME and working directory (set before its tests run). */
  readonly dir: string;
  /** Image references and IDs the file made, removed (forced) in this order after its tests. */
  made: Set<string>;
  aws(...args: string[]): Promise<CliResult>;
  /** GetFunction once the function (or `qualifier`) is no longer Pending nor InProgress. */
  settled(name: string, qualifier?: string): Promise<GetFunctionCommandOutput>;
}

/** Hooks for a test file of image functions: call it at the top level, as useStack. */
export function useImageFunctions(folderPrefix: string, platformOptions: PlatformOptions = {}): ImageFunctionsFile {
  const stack = useStack({}, platformOptions);
  const docker = new Docker();
  const made = new Set<string>();
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    for (const ref of made)
      await docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    stack,
    docker,
    get dir() {
      return dir;
    },
    made,
    aws: (...args) => runAwsCli(stack, dir, args),
    settled: (name, qualifier) =>
      waitFor(
        async () => {
          const got = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
          const c = got.Configuration;
          return c?.State !== "Pending" && c?.LastUpdateStatus !== "InProgress" ? got : undefined;
        },
        120_000,
        { what: `${name} to settle`, intervalMs: 250 },
      ),
  };
}

/** An Invoke's payload as JSON (null when empty). */
export const decode = (p?: Uint8Array) => JSON.parse(Buffer.from(p ?? []).toString("utf8") || "null");
