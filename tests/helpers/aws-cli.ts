// The real AWS CLI (botocore's signer and parsers, not the JS SDK) run against a
// Stratus endpoint, in a directory of the test's that is its HOME and working
// directory (so no profile of the machine's is read). A failing command is answered,
// not thrown: its exit code and output are what a test checks.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CliTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `aws --endpoint-url <endpoint> ...args` in `dir`, with `extraEnv` beside the credentials. */
export async function runAwsCli(
  target: CliTarget,
  dir: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: target.region,
    AWS_PAGER: "",
    ...extraEnv,
  };
  try {
    return { ...(await run("aws", ["--endpoint-url", target.endpoint, ...args], { env, cwd: dir })), code: 0 };
  } catch (err) {
    const e = err as CliResult;
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
