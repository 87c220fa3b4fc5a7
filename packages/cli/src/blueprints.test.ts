import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blueprintNames, createFromBlueprint } from "./blueprints.js";
import { parseConfig } from "./config-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cli-init-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createFromBlueprint", () => {
  it("offers every examples/ folder with a stratus.json, each valid and with a README", async () => {
    const names = await blueprintNames();
    expect(names).toEqual(
      expect.arrayContaining([
        "bucket-thumbnailer",
        "hello-node",
        "hello-python",
        "http-api",
        "queue-consumer",
        "scheduled-job",
        "workflow-sequence",
      ]),
    );
    expect(names).not.toContain("hello"); // the up command's sample, not a blueprint
    for (const name of names) {
      const target = path.join(dir, name);
      await createFromBlueprint(name, target, "fn");
      expect(await readdir(target)).toContain("README.md");
      parseConfig(await readFile(path.join(target, "stratus.json"), "utf8"), "stratus.json");
    }
  });

  it.each([
    ["hello-node", "index.mjs", "nodejs24.x"],
    ["hello-python", "lambda_function.py", "python3.11"],
  ])("makes a %s folder named as asked", async (blueprint, handlerFile, runtime) => {
    const target = path.join(dir, "fn");
    await createFromBlueprint(blueprint, target, "my-fn");
    expect((await readdir(target)).sort()).toEqual([handlerFile, "README.md", "stratus.json"].sort());
    const config = parseConfig(await readFile(path.join(target, "stratus.json"), "utf8"), "stratus.json");
    expect(config).toMatchObject({ name: "my-fn", runtime });
  });

  it("never overwrites a file, and refuses a bad name or blueprint before writing", async () => {
    await createFromBlueprint("hello-node", dir, "first");
    await expect(createFromBlueprint("hello-node", dir, "second")).rejects.toThrow(/exists already/);
    expect(JSON.parse(await readFile(path.join(dir, "stratus.json"), "utf8")).name).toBe("first");
    const other = path.join(dir, "other");
    await expect(createFromBlueprint("hello-node", other, "bad name")).rejects.toThrow(/name must be/);
    await expect(createFromBlueprint("nope", other, "x")).rejects.toThrow(
      /no blueprint nope: choose one of bucket-thumbnailer, hello-node/,
    );
    await expect(readdir(other)).rejects.toThrow(/ENOENT/);
  });
});
