// Input of image functions (PackageType Image): Code.ImageUri and ImageConfig, and
// Lambda's refusals of what only zip functions have (Runtime, Handler, Layers), and
// the refusal of local images (no registry host) unless the operator allows them.
import { errors, parseImageRef, parseLocalImageRef } from "@stratus/shared";
import { z } from "zod";
import type { ImageConfig } from "../domain.js";
import { storableText } from "../store/pg-helpers.js";
import { CreateFunctionSchema } from "./function-input.js";

const text = (name: string, max: number) =>
  z
    .string()
    .max(max, `${name} must be at most ${max} characters`)
    .refine(storableText, `${name} must not contain a NUL byte or an unpaired surrogate`);

export const ImageUriSchema = z
  .string({ required_error: "Code.ImageUri is required when PackageType is Image" })
  .refine((u) => parseImageRef(u) !== undefined || parseLocalImageRef(u) !== undefined, {
    message:
      "ImageUri must be [registry-host[:port]/]repository[:tag] or [registry-host[:port]/]repository@sha256:<digest>",
  });

/**
 * Refuses an ImageUri without a registry host (an image already on the nodes) unless
 * the operator allowed local images (STRATUS_LOCAL_IMAGES=true): otherwise any image
 * that happens to be on a node could be run.
 */
export function checkImageSource(uri: string, localImages: boolean): void {
  if (localImages || parseLocalImageRef(uri) === undefined) return;
  throw errors.invalidParameter(
    `ImageUri ${uri} names no registry host, and local images are disabled on this Stratus (STRATUS_LOCAL_IMAGES). ` +
      "Give the image's registry (registry-host[:port]/repository[:tag]).",
  );
}

export const ImageConfigSchema = z
  .object({
    EntryPoint: z.array(text("ImageConfig.EntryPoint", 1024)).max(1500).optional(),
    Command: z.array(text("ImageConfig.Command", 1024)).max(1500).optional(),
    WorkingDirectory: text("ImageConfig.WorkingDirectory", 1000)
      .refine((d) => d === "" || d.startsWith("/"), "ImageConfig.WorkingDirectory must be an absolute path")
      .optional(),
  })
  .strict();

export const CreateImageFunctionSchema = CreateFunctionSchema.omit({
  Runtime: true,
  Handler: true,
  Code: true,
  Layers: true,
  PackageType: true,
}).extend({
  PackageType: z.literal("Image"),
  Code: z.object({ ImageUri: ImageUriSchema }).strict(),
  ImageConfig: ImageConfigSchema.optional(),
});

const NOT_FOR_IMAGES =
  "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.";

/** Refuses, as Lambda does, what an image function cannot have. */
export function refuseZipOnlyFields(body: Record<string, unknown>): void {
  for (const key of ["Runtime", "Handler"])
    if (body[key] !== undefined && body[key] !== "") throw errors.invalidParameter(NOT_FOR_IMAGES);
  if (Array.isArray(body.Layers) && body.Layers.length > 0) throw errors.invalidParameter(NOT_FOR_IMAGES);
}

/** Refuses ImageConfig on a zip function. */
export function refuseImageConfigOnZip(body: Record<string, unknown>): void {
  if (body.ImageConfig !== undefined && body.ImageConfig !== null) {
    const empty = typeof body.ImageConfig === "object" && Object.keys(body.ImageConfig as object).length === 0;
    if (!empty) throw errors.invalidParameter("ImageConfig is only supported for functions with PackageType Image.");
  }
}

/** The wire ImageConfig as the domain keeps it (empty lists and directory mean "the image's own"). */
export function imageConfigOf(input: z.infer<typeof ImageConfigSchema> | undefined): ImageConfig {
  return {
    ...(input?.EntryPoint?.length ? { entryPoint: input.EntryPoint } : {}),
    ...(input?.Command?.length ? { command: input.Command } : {}),
    ...(input?.WorkingDirectory ? { workingDirectory: input.WorkingDirectory } : {}),
  };
}

/** Whether any of the image's settings is overridden (Lambda leaves ImageConfigResponse out otherwise). */
export const hasImageConfig = (config: ImageConfig) =>
  config.entryPoint !== undefined || config.command !== undefined || config.workingDirectory !== undefined;

/** ImageConfigResponse, as GetFunctionConfiguration renders it. */
export function imageConfigShape(config: ImageConfig) {
  return {
    ImageConfig: {
      ...(config.entryPoint ? { EntryPoint: config.entryPoint } : {}),
      ...(config.command ? { Command: config.command } : {}),
      ...(config.workingDirectory ? { WorkingDirectory: config.workingDirectory } : {}),
    },
  };
}
