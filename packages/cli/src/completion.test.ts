import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bashCompletion, zshCompletion } from "./completion.js";
import type { Context } from "./context.js";
import { buildProgram } from "./program.js";

const program = buildProgram(() => ({}) as Context, ["hello-node", "hello-python"]);

/** What bash completes for the words typed so far (the last one being completed). */
function complete(...words: string[]): string[] {
  return completeIn(process.cwd(), ...words);
}

function completeIn(home: string, ...words: string[]): string[] {
  const script = `${bashCompletion(program)}
COMP_WORDS=(${["stratus", ...words].map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}
_stratus; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", script], {
    encoding: "utf8",
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home },
  })
    .split("\n")
    .filter(Boolean);
}

describe("shell completion", () => {
  it("is valid bash and zsh source", () => {
    execFileSync("bash", ["-n"], { input: bashCompletion(program) });
    expect(zshCompletion(program)).toMatch(/^#compdef stratus\nautoload -U \+X bashcompinit && bashcompinit\n/);
  });

  it.each([
    [[""], ["init", "deploy", "invoke", "logs", "schedule", "ls", "completion", "help"]],
    [["de"], ["deploy"]],
    [["logs", "fn", "--f"], ["--follow"]],
    [
      ["--output", ""],
      ["text", "json"],
    ],
    [["--profile", "dev", "inv"], ["invoke"]],
    [["init", "--blueprint", "hello-p"], ["hello-python"]],
    [
      ["deploy", "--"],
      ["--name", "--wait", "--profile", "--region", "--endpoint-url", "--output", "--help"],
    ],
  ])("completes %j", (words, expected) => {
    expect(complete(...words)).toEqual(expect.arrayContaining(expected));
    if (expected.length === 1) expect(complete(...words)).toEqual(expected);
  });

  it("completes profiles from ~/.aws, a payload's @file, and offers no hidden option", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "stratus-cli-completion-"));
    try {
      await mkdir(path.join(home, ".aws"));
      await writeFile(path.join(home, ".aws", "config"), "[default]\n[profile onprem]\n[sso-session corp]\n");
      await writeFile(path.join(home, ".aws", "credentials"), "[ci]\n");
      await writeFile(path.join(home, "event.json"), "{}");
      expect(completeIn(home, "--profile", "").sort()).toEqual(["ci", "default", "onprem"]);
      expect(completeIn(home, "invoke", "f", "--payload", "@ev")).toEqual(["@event.json"]);
      expect(completeIn(home, "logs", "f", "--")).not.toContain("--interval");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
