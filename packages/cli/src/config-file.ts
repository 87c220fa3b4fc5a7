// stratus.json: what a function folder says about its function (name, runtime,
// handler, memory, timeout...), read by deploy and written by init. Parsed with zod
// so a mistake is reported as the field it is in, before anything is uploaded.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CliError } from "./errors.js";

export const CONFIG_FILE = "stratus.json";

/** Any account's role will do: Stratus checks the ARN's form, not an IAM policy. */
export const DEFAULT_ROLE = "arn:aws:iam::000000000000:role/stratus-function";

export const FunctionConfigSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "name must be 1-64 letters, digits, - or _"),
    runtime: z.string().min(1),
    handler: z.string().min(1),
    memory: z.number().int().min(128).max(10240).default(128),
    timeout: z.number().int().min(1).max(900).default(3),
    description: z.string().max(256).optional(),
    role: z.string().default(DEFAULT_ROLE),
    environment: z.record(z.string()).optional(),
  })
  .strict();

export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;

/** Parses the text of a stratus.json; `file` names it in the error. */
export function parseConfig(text: string, file: string): FunctionConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError("ConfigError", `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = FunctionConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new CliError("ConfigError", `${file}: ${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Reads DIR/stratus.json. */
export async function readConfig(dir: string): Promise<FunctionConfig> {
  const file = path.join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CliError("ConfigError", `${file} not found: run \`stratus init\` there first`);
  }
  return parseConfig(text, file);
}
