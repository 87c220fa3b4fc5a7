// `stratus deploy [DIR]`: zips the folder, creates the function or updates its code
// and configuration (each update carrying the RevisionId it was based on, so that a
// racing update is refused rather than overwritten) and waits until it is Active
// and its last update Successful.
import path from "node:path";
import {
  CreateFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import type { MiddlewareStack } from "@smithy/types";
import { readConfig } from "../config-file.js";
import type { Context } from "../context.js";
import { configUpdate, wantedConfiguration } from "../deploy-plan.js";
import { folderFiles } from "../folder-files.js";
import { bytes, emit, status } from "../output.js";
import { uploadProgress } from "../progress-bar.js";
import { reportUpload } from "../upload-progress.js";
import { checkZipSize, zipFiles } from "../zip-folder.js";

export interface DeployOptions {
  name?: string;
  /** Seconds to wait for Active / Successful. */
  wait: number;
}

type Action = "created" | "updated" | "unchanged";

export async function deploy(ctx: Context, dirArg: string | undefined, opts: DeployOptions): Promise<void> {
  const { io } = ctx;
  const { lambda } = ctx.clients();
  const dir = path.resolve(dirArg ?? ".");
  const config = await readConfig(dir);
  const name = opts.name ?? config.name;
  const files = await folderFiles(dir);
  const { zip, sha256 } = await zipFiles(files);
  status(io, `Packaged ${files.length} file${files.length === 1 ? "" : "s"} from ${dir} (${bytes(zip.length)} zipped)`);
  checkZipSize(zip.length);

  const current = await lambda.send(new GetFunctionCommand({ FunctionName: name })).then(
    (out) => out.Configuration,
    (err) => {
      if (err instanceof ResourceNotFoundException) return undefined;
      throw err;
    },
  );
  const waiter = { client: lambda, maxWaitTime: opts.wait };
  let action: Action;
  let fn: FunctionConfiguration;
  if (!current) {
    const create = new CreateFunctionCommand({
      FunctionName: name,
      ...wantedConfiguration(config),
      Code: { ZipFile: zip },
    });
    fn = await uploading(ctx, create.middlewareStack, `Creating ${name}`, () => lambda.send(create));
    status(io, `Waiting for ${name} to be Active`);
    await waitUntilFunctionActiveV2(waiter, { FunctionName: name });
    action = "created";
  } else {
    fn = current;
    action = "unchanged";
    if (current.CodeSha256 !== sha256) {
      const update = new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip, RevisionId: fn.RevisionId });
      fn = await uploading(ctx, update.middlewareStack, `Updating ${name}'s code`, () => lambda.send(update));
      await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
      action = "updated";
    }
    const changes = configUpdate(fn, config);
    if (changes) {
      status(io, `Updating ${name}'s configuration: ${Object.keys(changes).join(", ")}`);
      fn = await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, RevisionId: fn.RevisionId, ...changes }),
      );
      await waitUntilFunctionUpdatedV2(waiter, { FunctionName: name });
      action = "updated";
    }
  }
  const final = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration ?? fn;
  emit(
    io,
    {
      Action: action,
      FunctionName: final.FunctionName,
      FunctionArn: final.FunctionArn,
      Runtime: final.Runtime,
      CodeSha256: final.CodeSha256,
      CodeSize: final.CodeSize,
      RevisionId: final.RevisionId,
      State: final.State,
      LastUpdateStatus: final.LastUpdateStatus,
    },
    `${name} ${action}: ${final.State}, ${final.Runtime}, ${final.MemorySize} MB, code ${final.CodeSha256}`,
  );
}

/** Runs `send` with the progress bar on the bytes of the command's body (which carries the zip). */
async function uploading<I extends object, O extends object, T>(
  ctx: Context,
  stack: MiddlewareStack<I, O>,
  label: string,
  send: () => Promise<T>,
): Promise<T> {
  const progress = uploadProgress(ctx.io, label);
  reportUpload(stack, progress.onBytes);
  try {
    return await send();
  } finally {
    progress.done();
  }
}
