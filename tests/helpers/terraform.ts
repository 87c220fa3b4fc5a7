// What the Terraform test files share: whether Terraform and the AWS provider are
// installed (terraform on PATH, the provider in a filesystem mirror under
// /opt/tf-plugins; neither can be fetched from the sources a fresh machine reaches, so
// the files are skipped, saying so, elsewhere), a working directory whose CLI
// configuration installs the provider from that mirror, the provider block pointed at a
// stack, and running terraform there with the stack's key.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Credentials } from "./stack.js";

const run = promisify(execFile);
export const MIRROR = "/opt/tf-plugins";
export const PROVIDER = "5.100.0";

/** Whether terraform is on PATH and the AWS provider is in the mirror; warns, naming `file`, when not. */
export function terraformAvailable(file: string): boolean {
  const installed = existsSync(path.join(MIRROR, "registry.terraform.io/hashicorp/aws", PROVIDER));
  const onPath = (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(path.join(dir, "terraform")));
  const available = installed && onPath;
  if (!available) console.warn(`${file} skipped: terraform or the AWS provider ${PROVIDER} is not installed`);
  return available;
}

/** The terraform block and a provider block whose `services` endpoints are `endpoint`. */
export function providerBlock(endpoint: string, services: string[]): string {
  const endpoints = services.map((s) => `    ${s} = "${endpoint}"`).join("\n");
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${PROVIDER}" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
${endpoints}
  }
}
`;
}

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TerraformDir {
  dir: string;
  /** Runs `terraform ...args -input=false -no-color` in the directory with the stack's key. */
  terraform(...args: string[]): Promise<TerraformResult>;
  remove(): Promise<void>;
}

/** A fresh directory with a CLI configuration that installs the provider from the mirror. */
export async function terraformDir(
  credentials: Credentials,
  extraEnv: Record<string, string> = {},
): Promise<TerraformDir> {
  const dir = await mkdtemp(path.join(tmpdir(), "stratus-terraform-"));
  await writeFile(
    path.join(dir, "terraformrc"),
    `provider_installation {\n  filesystem_mirror {\n    path    = "${MIRROR}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  const terraform = async (...args: string[]): Promise<TerraformResult> => {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      TF_CLI_CONFIG_FILE: path.join(dir, "terraformrc"),
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // Terraform's debug log of each HTTP call, when the test run is given one.
      ...(process.env.TF_LOG ? { TF_LOG: process.env.TF_LOG, TF_LOG_PATH: process.env.TF_LOG_PATH ?? "" } : {}),
      ...extraEnv,
    };
    try {
      const out = await run("terraform", [...args, "-input=false", "-no-color"], {
        env,
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, ...out };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };
  return { dir, terraform, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Fails with what Terraform said, unless it ended with `code`. */
export function expectExit(r: TerraformResult, code: number): void {
  if (r.code !== code)
    throw new Error(`terraform exited ${r.code}, not ${code}:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
}
