// The command line: global flags, the commands and their help, wired to the command
// functions in commands/. Errors are not printed here: main prints the one line.
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { DEFAULT_BLUEPRINT } from "./blueprints.js";
import { deploy } from "./commands/deploy.js";
import { init } from "./commands/init.js";
import { invoke } from "./commands/invoke.js";
import { logs } from "./commands/logs.js";
import { ls } from "./commands/ls.js";
import { schedule } from "./commands/schedule.js";
import { url } from "./commands/url.js";
import { usage } from "./commands/usage.js";
import { bashCompletion, zshCompletion } from "./completion.js";
import type { Context } from "./context.js";
import { CliError } from "./errors.js";
import type { OutputMode } from "./output.js";

export interface ProgramFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  output: OutputMode;
}

const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

const int = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError("InvalidParameterValue", `${flag} must be an integer, not ${v}`);
  return n;
};

/** The program; `contextFor` makes a command's context from the global flags. */
export function buildProgram(contextFor: (flags: ProgramFlags) => Context, blueprints: string[]): Command {
  const program = new Command("stratus")
    .description("From a folder to a running function on Stratus (self-hosted AWS Lambda).")
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError()
    .addOption(new Option("--profile <name>", "AWS profile from ~/.aws/config and credentials (else AWS_PROFILE)"))
    .addOption(new Option("--region <region>", "region (else AWS_REGION or the profile's)"))
    .addOption(
      new Option(
        "--endpoint-url <url>",
        "Stratus endpoint (else AWS_ENDPOINT_URL_LAMBDA / _SCHEDULER, AWS_ENDPOINT_URL)",
      ),
    )
    .addOption(
      new Option("--output <format>", "text for people, json for scripts (nothing else on stdout)")
        .choices(["text", "json"])
        .default("text"),
    );
  const ctx = (cmd: Command) => contextFor(cmd.optsWithGlobals<ProgramFlags>());

  program
    .command("init")
    .description("make a function folder from a blueprint (a handler and stratus.json)")
    .argument("[dir]", "folder to make or fill", ".")
    .addOption(new Option("--blueprint <name>", "what to start from").choices(blueprints).default(DEFAULT_BLUEPRINT))
    .option("--name <name>", "the function's name (default: the folder's name)")
    .action((dir: string, opts, cmd: Command) => init(ctx(cmd), dir, opts));

  program
    .command("deploy")
    .description("zip the folder (minus .stratusignore), create or update the function, wait until it is Active")
    .argument("[dir]", "the function folder, with its stratus.json", ".")
    .option("--name <name>", "deploy under this name instead of stratus.json's")
    .option("--wait <seconds>", "how long to wait for the function to be ready", int("--wait"), 300)
    .action((dir: string, opts, cmd: Command) => deploy(ctx(cmd), dir, opts));

  program
    .command("invoke")
    .description("invoke the function; print its result (stdout) and its log's tail (stderr)")
    .argument("<name>", "function name, name:qualifier or ARN")
    .option("--payload <json|@file>", "the event, as JSON or @file to read it from")
    .option("--qualifier <version|alias>", "a version or alias to invoke")
    .action((name: string, opts, cmd: Command) => invoke(ctx(cmd), name, opts));

  program
    .command("logs")
    .description("print the function's newest invocations' logs, oldest first")
    .argument("<name>", "function name")
    .option("-f, --follow", "keep printing new invocations' logs until interrupted")
    .option("--limit <n>", "how many invocations (1-100)", int("--limit"), 10)
    .addOption(
      new Option("--interval <ms>", "poll interval under --follow")
        .argParser(int("--interval"))
        .default(1000)
        .hideHelp(),
    )
    .action((name: string, opts, cmd: Command) => logs(ctx(cmd), name, opts));

  program
    .command("schedule")
    .description("invoke the function on a schedule (EventBridge Scheduler); again to change it")
    .argument("<name>", "function name")
    .argument("<expression>", "rate(5 minutes), cron(0 12 * * ? *) or at(2030-01-01T00:00:00)")
    .option("--schedule-name <name>", "the schedule's name (default: the function's)")
    .option("--payload <json|@file>", "the event each run gets")
    .option("--qualifier <version|alias>", "a version or alias to invoke")
    .option("--role-arn <arn>", "the role Scheduler invokes with (default: the function's)")
    .option("--timezone <tz>", "time zone of a cron() or at() expression")
    .action((name: string, expression: string, opts, cmd: Command) => schedule(ctx(cmd), name, expression, opts));

  program
    .command("url")
    .description("the function's URL, made (and opened to anyone, for NONE) if it has none")
    .argument("<name>", "function name")
    .addOption(new Option("--auth-type <type>", "who may call it").choices(["NONE", "AWS_IAM"]).default("NONE"))
    .option("--qualifier <alias>", "an alias the URL is for")
    .option("--cors-origin <origin...>", "origins browsers may call it from (CORS)")
    .action((name: string, opts, cmd: Command) => url(ctx(cmd), name, opts));

  program
    .command("usage")
    .description("requests, GB-seconds and cost per function over a time range (default: this month so far)")
    .option("--since <time>", "start: ISO 8601 (2026-12-01T00:00:00Z) or epoch seconds, down to the hour")
    .option("--until <time>", "end: ISO 8601 or epoch seconds, up to the hour (default: now)")
    .addOption(
      new Option("--format <format>", "table for people; csv, focus (FinOps FOCUS CSV) or json for tools")
        .choices(["table", "csv", "focus", "json"])
        .default("table"),
    )
    .option("--account <id|name|*>", "another account's usage, or every account's (administrators only)")
    .action((opts, cmd: Command) => usage(ctx(cmd), opts));

  program
    .command("ls")
    .description("list the functions")
    .action((_opts, cmd: Command) => ls(ctx(cmd)));

  program
    .command("completion")
    .description("print shell completion: stratus completion bash >> ~/.bashrc")
    .addArgument(program.createArgument("<shell>", "bash or zsh").choices(["bash", "zsh"]))
    .action((shell: string, _opts, cmd: Command) => {
      const io = ctx(cmd).io;
      io.stdout.write(shell === "zsh" ? zshCompletion(program) : bashCompletion(program));
    });
  return program;
}
