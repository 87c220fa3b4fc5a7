// `stratus url NAME`: the function's URL, made if it has none. `--auth-type NONE` (the
// default) also grants lambda:InvokeFunctionUrl to anyone, as Lambda's console does,
// since a NONE URL answers 403 without it; run again, it prints the URL (changing the
// auth type or CORS when told to).
import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  type FunctionUrlAuthType,
  GetFunctionUrlConfigCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { emit } from "../output.js";

export interface UrlOptions {
  authType?: string;
  qualifier?: string;
  /** Origins allowed by CORS (any method and header); none: no CORS. */
  corsOrigin?: string[];
}

/** The statement id of the grant that opens a NONE URL to anyone. */
const PUBLIC_SID = "FunctionURLAllowPublicAccess";

export async function url(ctx: Context, name: string, opts: UrlOptions): Promise<void> {
  const { lambda } = ctx.clients();
  const authType = (opts.authType ?? "NONE").toUpperCase();
  if (authType !== "NONE" && authType !== "AWS_IAM")
    throw new CliError("InvalidParameterValue", `--auth-type must be NONE or AWS_IAM, not ${opts.authType}`);
  const target = { FunctionName: name, ...(opts.qualifier ? { Qualifier: opts.qualifier } : {}) };
  const cors = opts.corsOrigin?.length
    ? { Cors: { AllowOrigins: opts.corsOrigin, AllowMethods: ["*"], AllowHeaders: ["*"] } }
    : {};
  const existing = await lambda.send(new GetFunctionUrlConfigCommand(target)).catch((err: unknown) => {
    // No URL (or no function: creating then says which).
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  });
  let action = "unchanged";
  let config: { FunctionUrl?: string; AuthType?: string; FunctionArn?: string } | undefined = existing;
  if (!existing) {
    config = await lambda.send(
      new CreateFunctionUrlConfigCommand({ ...target, AuthType: authType as FunctionUrlAuthType, ...cors }),
    );
    action = "created";
  } else if (existing.AuthType !== authType || opts.corsOrigin) {
    config = await lambda.send(
      new UpdateFunctionUrlConfigCommand({ ...target, AuthType: authType as FunctionUrlAuthType, ...cors }),
    );
    action = "updated";
  }
  if (authType === "NONE") {
    await lambda
      .send(
        new AddPermissionCommand({
          ...target,
          StatementId: PUBLIC_SID,
          Action: "lambda:InvokeFunctionUrl",
          Principal: "*",
          FunctionUrlAuthType: "NONE",
        }),
      )
      .catch((err: unknown) => {
        // Granted before (this command ran already): the statement is there.
        if (!(err instanceof ResourceConflictException)) throw err;
      });
  }
  emit(
    ctx.io,
    { Action: action, FunctionUrl: config?.FunctionUrl, AuthType: config?.AuthType, FunctionArn: config?.FunctionArn },
    `${config?.FunctionUrl} (${config?.AuthType}, ${action})`,
  );
}
