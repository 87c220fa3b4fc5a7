// Input of the layer operations: PublishLayerVersion and AddLayerVersionPermission.
// Schemas are strict, so a parameter Stratus does not know is refused by name, and
// the S3 code sources and organisation sharing, which Stratus does not serve, are
// refused by name before anything is read.
import { errors } from "@stratus/shared";
import { z } from "zod";
import { storableText } from "../store/pg-helpers.js";
import { descriptionSchema } from "./function-input.js";

/** Lambda's runtime identifiers (a layer may name runtimes this node does not run, as in Lambda). */
const RUNTIME_ID =
  /^(nodejs[0-9]+\.x|python3\.[0-9]+|java[0-9]+(\.al2)?|dotnet(core)?[0-9.]+|ruby[0-9.]+|go1\.x|provided(\.al2|\.al2023)?)$/;

export const PublishLayerVersionSchema = z
  .object({
    Description: descriptionSchema.default(""),
    Content: z.object({ ZipFile: z.string({ required_error: "Content.ZipFile is required" }) }).strict(),
    CompatibleRuntimes: z
      .array(z.string().regex(RUNTIME_ID, "CompatibleRuntimes must name Lambda runtimes (nodejs22.x, python3.11...)"))
      .max(15, "CompatibleRuntimes may name at most 15 runtimes")
      .default([]),
    CompatibleArchitectures: z
      .array(z.enum(["x86_64", "arm64"], { errorMap: () => ({ message: "must be x86_64 or arm64" }) }))
      .max(2, "CompatibleArchitectures may name at most 2 architectures")
      .default([]),
    LicenseInfo: z
      .string()
      .max(512, "LicenseInfo must be at most 512 characters")
      .refine(storableText, "LicenseInfo must not contain a NUL byte or an unpaired surrogate")
      .optional(),
  })
  .strict();

export type PublishLayerVersionInput = z.infer<typeof PublishLayerVersionSchema>;

export const AddLayerPermissionSchema = z
  .object({
    StatementId: z.string().regex(/^[a-zA-Z0-9_-]{1,100}$/, "StatementId must match [a-zA-Z0-9-_]{1,100}"),
    Action: z.literal("lambda:GetLayerVersion", {
      errorMap: () => ({ message: "Action must be lambda:GetLayerVersion" }),
    }),
    Principal: z
      .string()
      .regex(/^(\d{12}|\*|arn:aws[a-zA-Z-]*:iam::\d{12}:root)$/, "Principal must be an account id, its root ARN or *"),
  })
  .strict();

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Refuses by name what Lambda takes and Stratus does not serve. */
export function refuseUnsupportedLayerInput(body: unknown): void {
  if (!isObject(body)) return;
  const content = body.Content;
  if (isObject(content)) {
    for (const key of ["S3Bucket", "S3Key", "S3ObjectVersion"]) {
      if (content[key] !== undefined) {
        throw errors.invalidParameter(`Content.${key} is not supported by Stratus: upload the zip as Content.ZipFile`);
      }
    }
  }
  if (body.OrganizationId !== undefined) {
    throw errors.invalidParameter("OrganizationId is not supported by Stratus: share with an account id or *");
  }
}

/** The account a policy Principal names ("*" for all). */
export function principalAccount(principal: string): string {
  return /^\d{12}$/.test(principal) || principal === "*" ? principal : (principal.split(":")[4] ?? principal);
}
