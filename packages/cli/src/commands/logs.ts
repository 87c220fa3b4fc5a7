// `stratus logs NAME`: the function's newest invocations' logs (START, its output,
// END, REPORT), oldest first; with --follow, polls and prints each new invocation's
// log as it is stored, until interrupted. JSON mode prints one document, or with
// --follow one invocation per line (JSON Lines).
import { setTimeout as sleep } from "node:timers/promises";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { createLogApi, type InvocationLog } from "../log-api.js";
import { createLogWindow } from "../log-follow.js";
import { emit } from "../output.js";

export interface LogsOptions {
  follow?: boolean;
  limit: number;
  /** Milliseconds between polls under --follow. */
  interval: number;
}

/** The window a --follow poll reads: large enough not to miss a burst between polls. */
const FOLLOW_WINDOW = 100;

const text = (l: InvocationLog) => (l.Log.endsWith("\n") ? l.Log.slice(0, -1) : l.Log);

export async function logs(ctx: Context, name: string, opts: LogsOptions): Promise<void> {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 100) {
    throw new CliError("InvalidParameterValue", "--limit must be an integer from 1 to 100");
  }
  const { io } = ctx;
  const { lambda } = ctx.clients();
  // The log API answers an unknown name with no logs: a typo would follow nothing forever.
  await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  const api = createLogApi(lambda);
  const first = await api.functionLogs(name, opts.follow ? FOLLOW_WINDOW : opts.limit);
  const shown = first.slice(0, opts.limit).reverse();
  if (!opts.follow) {
    emit(io, { Invocations: shown }, shown.map(text));
    return;
  }
  const print = (l: InvocationLog) => io.stdout.write(io.mode === "json" ? `${JSON.stringify(l)}\n` : `${text(l)}\n`);
  shown.forEach(print);
  const window = createLogWindow(first);
  for (;;) {
    await sleep(opts.interval);
    window.fresh(await api.functionLogs(name, FOLLOW_WINDOW)).forEach(print);
  }
}
