// `stratus invoke NAME`: a synchronous invoke with the log's tail. The result goes
// to stdout, the tail to stderr; a function error is printed as the error line with
// the function's errorType and makes the exit code non-zero.
import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { emit } from "../output.js";
import { decodeResult, readPayload } from "../payload.js";

export interface InvokeOptions {
  payload?: string;
  qualifier?: string;
}

export async function invoke(ctx: Context, name: string, opts: InvokeOptions): Promise<void> {
  const { io } = ctx;
  const payload = await readPayload(opts.payload);
  const out = await ctx.clients().lambda.send(
    new InvokeCommand({
      FunctionName: name,
      LogType: "Tail",
      ...(payload ? { Payload: payload } : {}),
      ...(opts.qualifier ? { Qualifier: opts.qualifier } : {}),
    }),
  );
  const result = decodeResult(out.Payload);
  const tail = out.LogResult ? Buffer.from(out.LogResult, "base64").toString("utf8") : "";
  if (io.mode === "text" && tail) io.stderr.write(tail.endsWith("\n") ? tail : `${tail}\n`);
  emit(
    io,
    {
      StatusCode: out.StatusCode,
      ExecutedVersion: out.ExecutedVersion,
      ...(out.FunctionError ? { FunctionError: out.FunctionError } : {}),
      Payload: result,
      Log: tail,
    },
    Buffer.from(out.Payload ?? []).toString("utf8"),
  );
  if (out.FunctionError) {
    const err = (typeof result === "object" && result ? result : {}) as { errorType?: string; errorMessage?: string };
    throw new CliError(
      err.errorType ?? out.FunctionError,
      err.errorMessage ?? `the function failed (${out.FunctionError})`,
    );
  }
}
