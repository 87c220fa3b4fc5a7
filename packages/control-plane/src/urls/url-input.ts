// Validation of Create/UpdateFunctionUrlConfig input as Lambda checks it: AuthType,
// InvokeMode and a Cors block within Lambda's bounds. Unknown fields are refused by
// name; a qualifier must be an alias name or $LATEST, never a version number.
import { errors, LATEST } from "@stratus/shared";
import { z } from "zod";
import { parseInput } from "../services/function-input.js";
import type { Cors } from "../url-config.js";

const METHODS = ["*", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** An origin: scheme://host[:port], nothing after it; or `*`. */
const ORIGIN = /^(\*|[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/\s?#]+)$/;
/** An HTTP header name (RFC 9110 token), or `*`. */
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const list = (field: string, max: number, each: z.ZodType<string>) =>
  z
    .array(each, { invalid_type_error: `${field} must be a list of strings` })
    .max(max, `${field} takes at most ${max} items`);

const CorsSchema = z
  .object({
    AllowCredentials: z.boolean({ invalid_type_error: "AllowCredentials must be a boolean" }).optional(),
    AllowHeaders: list("AllowHeaders", 100, z.string().max(1024).regex(HEADER, "must be header names")).optional(),
    AllowMethods: list(
      "AllowMethods",
      6,
      z.string().refine((m) => METHODS.includes(m), `must each be one of ${METHODS.join(", ")}`),
    ).optional(),
    AllowOrigins: list(
      "AllowOrigins",
      100,
      z.string().min(1).max(253).regex(ORIGIN, "must each be an origin (https://example.com) or *"),
    ).optional(),
    ExposeHeaders: list("ExposeHeaders", 100, z.string().max(1024).regex(HEADER, "must be header names")).optional(),
    MaxAge: z
      .number({ invalid_type_error: "MaxAge must be a number" })
      .int("MaxAge must be an integer")
      .min(0, "MaxAge must be between 0 and 86400")
      .max(86400, "MaxAge must be between 0 and 86400")
      .optional(),
  })
  .strict();

const AuthTypeSchema = z.enum(["NONE", "AWS_IAM"], {
  errorMap: () => ({ message: "AuthType must be NONE or AWS_IAM" }),
});
const InvokeModeSchema = z.enum(["BUFFERED", "RESPONSE_STREAM"], {
  errorMap: () => ({ message: "InvokeMode must be BUFFERED or RESPONSE_STREAM" }),
});

const CreateSchema = z
  .object({ AuthType: AuthTypeSchema, Cors: CorsSchema.optional(), InvokeMode: InvokeModeSchema.default("BUFFERED") })
  .strict();
const UpdateSchema = z
  .object({ AuthType: AuthTypeSchema.optional(), Cors: CorsSchema.optional(), InvokeMode: InvokeModeSchema.optional() })
  .strict();

export interface UrlInput {
  authType?: "NONE" | "AWS_IAM";
  cors?: Cors;
  invokeMode?: "BUFFERED" | "RESPONSE_STREAM";
}

/** A Cors block that sets nothing: none (Terraform sends one to remove the block). */
const noCors = (cors: Cors) => Object.values(cors).every((v) => v === undefined);

export function parseCreateUrl(body: unknown): Required<Pick<UrlInput, "authType" | "invokeMode">> & UrlInput {
  const input = parseInput(CreateSchema, body);
  const cors = input.Cors && !noCors(input.Cors) ? { cors: input.Cors } : {};
  return { authType: input.AuthType, invokeMode: input.InvokeMode, ...cors };
}

/** An update's changes; `cors: null` when its Cors block sets nothing, which removes the configuration's. */
export function parseUpdateUrl(body: unknown): Omit<UrlInput, "cors"> & { cors?: Cors | null } {
  const input = parseInput(UpdateSchema, body);
  return {
    ...(input.AuthType ? { authType: input.AuthType } : {}),
    ...(input.Cors ? { cors: noCors(input.Cors) ? null : input.Cors } : {}),
    ...(input.InvokeMode ? { invokeMode: input.InvokeMode } : {}),
  };
}

const QUALIFIER = /^(\$LATEST|(?![0-9]+$)[a-zA-Z0-9_-]{1,128})$/;

/** The URL's qualifier: an alias name, or undefined for the unqualified function (and $LATEST). */
export function urlQualifier(qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === "") return undefined;
  if (!QUALIFIER.test(qualifier)) {
    throw errors.invalidParameter(
      `Invalid value for Qualifier: ${JSON.stringify(qualifier.slice(0, 128))}: a function URL is for an alias or $LATEST, not a version`,
    );
  }
  return qualifier === LATEST ? undefined : qualifier;
}
