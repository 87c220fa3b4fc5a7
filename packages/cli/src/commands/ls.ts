// `stratus ls`: the account's functions, every page of ListFunctions.
import { type FunctionConfiguration, paginateListFunctions } from "@aws-sdk/client-lambda";
import type { Context } from "../context.js";
import { emit, table } from "../output.js";

export async function ls(ctx: Context): Promise<void> {
  const functions: FunctionConfiguration[] = [];
  for await (const page of paginateListFunctions({ client: ctx.clients().lambda }, {})) {
    functions.push(...(page.Functions ?? []));
  }
  functions.sort((a, b) => (a.FunctionName ?? "").localeCompare(b.FunctionName ?? ""));
  const rows = functions.map((f) => [
    f.FunctionName ?? "",
    f.Runtime ?? "",
    `${f.MemorySize} MB`,
    `${f.Timeout} s`,
    f.LastModified ?? "",
  ]);
  emit(
    ctx.io,
    { Functions: functions },
    functions.length ? table(["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED"], rows) : [],
  );
}
