// The image-function side of the function service: CreateFunction with PackageType
// Image, UpdateFunctionCode with ImageUri, and the checks that keep image and zip
// functions apart. A new image leaves the function Pending (or its update
// InProgress) until images/image-preparer.ts has resolved its digest and the nodes
// have pulled it; `changed` wakes the preparer at once.
import { randomUUID } from "node:crypto";
import { errors, LATEST } from "@stratus/shared";
import type { FunctionVersion } from "../domain.js";
import type { FunctionStore } from "../store/function-store.js";
import { checkEnvironment, parseInput } from "./function-input.js";
import { CreateImageFunctionSchema, checkImageSource, imageConfigOf, refuseZipOnlyFields } from "./image-input.js";
import { loggingOf } from "./logging-input.js";
import { TagsSchema, UpdateImageCodeSchema } from "./update-input.js";

/** What Lambda answers for a change while an image is still being resolved and pulled. */
export function updateInProgress(name: string) {
  return errors.conflict(
    `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
  );
}

/** Refuses to publish (or update again) an image function whose image is not settled. */
export function checkImageSettled(fn: FunctionVersion): void {
  if (fn.packageType !== "Image") return;
  if (fn.lastUpdate.status === "InProgress" || fn.state === "Pending") throw updateInProgress(fn.name);
  if (fn.state === "Failed") {
    throw errors.conflict(
      `The operation cannot be performed at this time. The function is in state Failed: ${fn.name}`,
    );
  }
}

export type NewImageFunction = Parameters<FunctionStore["create"]>[0];

/** The $LATEST of a new image function, Pending, from a CreateFunction body that asks for PackageType Image. */
export function newImageFunction(accountId: string, body: Record<string, unknown>, localImages = false) {
  refuseZipOnlyFields(body);
  const input = parseInput(CreateImageFunctionSchema.extend({ Tags: TagsSchema.shape.Tags.optional() }), body);
  checkImageSource(input.Code.ImageUri, localImages);
  checkEnvironment(input.Environment.Variables);
  const fn: NewImageFunction = {
    accountId,
    name: input.FunctionName,
    runtime: "",
    handler: "",
    role: input.Role,
    description: input.Description,
    memoryMb: input.MemorySize,
    timeoutSeconds: input.Timeout,
    ephemeralStorageMb: input.EphemeralStorage.Size,
    environment: input.Environment.Variables,
    codeSha256Hex: "",
    revisionId: randomUUID(),
    state: "Pending",
    stateReason: { code: "Creating", message: "The function is being created." },
    lastUpdate: { status: "InProgress", reason: { code: "Creating", message: "The function is being created." } },
    packageType: "Image",
    image: { uri: input.Code.ImageUri, config: imageConfigOf(input.ImageConfig) },
    layers: [],
    tracingMode: input.TracingConfig.Mode,
    logging: loggingOf(input.LoggingConfig),
  };
  return { fn, tags: input.Tags, publish: input.Publish };
}

/** UpdateFunctionCode of an image function: $LATEST InProgress on the new image. */
export async function updateImageCode(
  store: FunctionStore,
  current: FunctionVersion,
  body: Record<string, unknown>,
  localImages = false,
): Promise<{ updated?: FunctionVersion; dryRun?: FunctionVersion; publish: boolean }> {
  if (body.ZipFile !== undefined) {
    throw errors.invalidParameter("Please provide ImageUri when updating a function with packageType Image.");
  }
  const input = parseInput(UpdateImageCodeSchema, body);
  checkImageSource(input.ImageUri, localImages);
  if (current.lastUpdate.status === "InProgress") throw updateInProgress(current.name);
  const image = { uri: input.ImageUri, config: current.image?.config ?? {} };
  if (input.DryRun) return { dryRun: { ...current, image: { ...current.image, ...image } }, publish: false };
  const updated = await store.updateImage(current.accountId, current.name, image, input.RevisionId);
  return { updated, publish: input.Publish };
}

export { LATEST };
