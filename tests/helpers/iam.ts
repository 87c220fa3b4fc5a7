// What the IAM test files share: the trust policy that lets Lambda assume a role, and
// functions that call AWS with nothing but their environment's credentials (a handler
// bundled with the AWS SDK packages installed in tests/, deployed under a role).
import path from "node:path";
import { build } from "esbuild";
import { deployFunction } from "./functions.js";
import type { Stack } from "./stack.js";

/** A trust policy that lets Lambda assume the role. */
export const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** `source` (CommonJS) bundled with what it requires into one file, for Node 20. */
export async function bundleHandler(source: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: path.resolve("tests"), loader: "js" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
  });
  return out.outputFiles[0]?.text ?? "";
}

/** Deploys `code` (index.js, exports.handler) under `role`, with 30 s to make its calls; its name. */
export const deployWithRole = (stack: Stack, code: string, role: string | undefined) =>
  deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.js": code },
    config: { Role: role, Timeout: 30 },
  });

/** The name of the error `p` rejects with; "resolved" when it does not. */
export const errorName = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (err: Error) => err.name,
  );
