// One service's AWS CLI commands as a test checks them: a command that must succeed
// with nothing on stderr (its JSON output, or nothing at all), and one that must fail
// (what it printed on stderr); and the CLI of a test file, in a directory of its own.
// Apart from aws-cli.ts, which runs outside vitest too.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { type CliResult, type CliTarget, runAwsCli } from "./aws-cli.js";

/**
 * `aws ...args` against `target` (a stack, read at each call), one attempt each, in a
 * temporary directory that is its HOME: made before the file's tests, removed after.
 */
export function useAwsCli(target: CliTarget, prefix: string): (...args: string[]) => Promise<CliResult> {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return (...args) => runAwsCli(target, dir, args, { AWS_MAX_ATTEMPTS: "1" });
}

export interface CliCommands {
  /** A successful command's JSON output. */
  json<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** A successful command that prints nothing (the CLI prints no empty object). */
  silent(...args: string[]): Promise<void>;
  /** A command that must fail: its stderr ("An error occurred (Code) when calling ...: message"). */
  failure(...args: string[]): Promise<string>;
}

/** `aws <service> ...` through `aws` (runAwsCli bound to a stack and a directory). */
export function cliCommands(aws: (...args: string[]) => Promise<CliResult>, service: string): CliCommands {
  async function succeeded(args: string[]): Promise<string> {
    const r = await aws(service, ...args);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  }
  return {
    json: async <T>(...args: string[]) => JSON.parse(await succeeded(args)) as T,
    silent: async (...args: string[]) => {
      expect(await succeeded(args)).toBe("");
    },
    async failure(...args: string[]) {
      const r = await aws(service, ...args);
      expect(r.code).not.toBe(0);
      return r.stderr;
    },
  };
}
