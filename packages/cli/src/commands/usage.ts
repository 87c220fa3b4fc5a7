// `stratus usage`: requests, GB-seconds and their cost per function over a range
// (default: this month so far), as a table; --format csv|focus|json prints the
// report as the server renders it, for a spreadsheet or a FinOps tool.
import type { Context } from "../context.js";
import { CliError } from "../errors.js";
import { emit, table } from "../output.js";
import { fetchUsage, type UsageLine, type UsageReport } from "../usage-api.js";

export interface UsageOptions {
  since?: string;
  until?: string;
  format: "table" | "csv" | "focus" | "json";
  account?: string;
}

const FORMATS = ["table", "csv", "focus", "json"];

const gbs = (n: number) => n.toFixed(3);
const money = (n: number) => n.toFixed(6);

export async function usage(ctx: Context, opts: UsageOptions): Promise<void> {
  if (!FORMATS.includes(opts.format)) {
    throw new CliError("InvalidParameterValue", `--format must be one of ${FORMATS.join(", ")}`);
  }
  const { lambda } = ctx.clients();
  const json = opts.format === "json" || (opts.format === "table" && ctx.io.mode === "json");
  const format = opts.format === "csv" || opts.format === "focus" ? opts.format : "json";
  const body = await fetchUsage(lambda, { since: opts.since, until: opts.until, format, account: opts.account });
  if (format !== "json") {
    ctx.io.stdout.write(body);
    return;
  }
  const report = JSON.parse(body) as UsageReport;
  if (json) {
    emit({ ...ctx.io, mode: "json" }, report, []);
    return;
  }
  const all = report.Functions.some((f) => f.AccountId !== report.Functions[0]?.AccountId);
  const cells = (name: string[], l: UsageLine) => [
    ...name,
    String(l.Requests),
    String(l.Errors),
    gbs(l.GbSeconds),
    money(l.Cost),
  ];
  const header = [
    ...(all ? ["ACCOUNT"] : []),
    "FUNCTION",
    "REQUESTS",
    "ERRORS",
    "GB-SECONDS",
    `COST (${report.Currency})`,
  ];
  const rows = report.Functions.map((f) =>
    cells(all ? [f.AccountId ?? "", f.FunctionName ?? ""] : [f.FunctionName ?? ""], f),
  );
  rows.push(cells(all ? ["", "TOTAL"] : ["TOTAL"], report.Total));
  emit(ctx.io, report, [`Usage from ${report.Since} to ${report.Until}`, ...table(header, rows)]);
}
