#!/usr/bin/env node
// The stratus command's entry point: builds the program, runs the command, prints
// any failure as one line (`stratus: <ErrorType>: <message>`) and sets the exit code.
import { CommanderError } from "commander";
import { blueprintNames } from "./blueprints.js";
import { type Context, createContext } from "./context.js";
import { CliError, errorLine } from "./errors.js";
import { buildProgram } from "./program.js";

let ctx: Context | undefined;
const program = buildProgram(
  (flags) => {
    // --profile is AWS_PROFILE, as in the AWS CLI: the SDK reads a profile's endpoint_url
    // through AWS_PROFILE only, whatever profile the client is given.
    if (flags.profile) process.env.AWS_PROFILE = flags.profile;
    ctx = createContext(flags, { stdout: process.stdout, stderr: process.stderr });
    return ctx;
  },
  await blueprintNames(),
);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode !== 0) {
      process.stderr.write(`${errorLine(new CliError("UsageError", err.message.replace(/^error: /, "")))}\n`);
    }
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`${errorLine(err)}\n`);
    process.exitCode = 1;
  }
} finally {
  ctx?.close();
}
