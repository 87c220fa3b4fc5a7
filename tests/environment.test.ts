// A function's own PATH, LANG and TZ win over the platform's defaults, and mean the
// same whichever way its container was made: a stem cell specialised for it (which
// started with the defaults and takes on TZ and PATH as it specialises) or a
// container from scratch (where they apply from the start). A LANG other than the
// default is fixed as a runtime starts, so such a function starts from scratch even
// when a stem cell is ready; a function that sets none of them finds the very same
// environment on either path. A variable of the runtime's image that the function
// sets empty is empty from the start on either path (not the image's value that a
// stem cell's runtime started with).
import { readFile } from "node:fs/promises";
import type { Runtime } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { deployFunction, invokeFunction } from "./helpers/functions.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({ STRATUS_STEM_CELLS_PER_RUNTIME: "1" });

const fixture = (file: string) => readFile(new URL(`./fixtures/environment/${file}`, import.meta.url), "utf8");

/**
 * Per runtime, variables its image sets (its Dockerfile's ENV, and the platform's
 * defaults) that its runtime reads as it starts, each given an empty value.
 */
const RUNTIMES = [
  {
    runtime: "nodejs20.x" as Runtime,
    file: "env.js",
    handler: "env.handler",
    emptied: { NODE_PATH: "", LANG: "", TZ: "" } as Record<string, string>,
  },
  {
    runtime: "python3.11" as Runtime,
    file: "env.py",
    handler: "env.handler",
    emptied: { PYTHONDONTWRITEBYTECODE: "", PYTHONUNBUFFERED: "", LANG: "", TZ: "" } as Record<string, string>,
  },
];

/** The function's own PATH (which alone names its bin/) and a zone of +05:30 with no summer time. */
const OWN = { PATH: "/var/task/bin:/usr/local/bin:/usr/bin:/bin", TZ: "Asia/Kolkata" };
const DEFAULT_LANG = "en_US.UTF-8";

/** Variables that name the function or the container, which differ between any two functions. */
const PER_CONTAINER = [
  "HOSTNAME",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "_X_AMZN_TRACE_ID",
];

/** The function's whole environment, without what names its container. */
const environ = (body: Record<string, unknown>) => {
  const all = { ...(body.environ as Record<string, string>) };
  for (const name of PER_CONTAINER) delete all[name];
  return all;
};

describe.each(RUNTIMES)("$runtime", ({ runtime, file, handler, emptied }) => {
  const coldStarts = async () => ({
    stem: await metricValue(stack.invoker.url, "stratus_cold_starts_total", { runtime, kind: "stem_cell" }),
    scratch: await metricValue(stack.invoker.url, "stratus_cold_starts_total", { runtime, kind: "scratch" }),
  });
  const stemReady = () =>
    until(`a ready ${runtime} stem cell`, async () => (stack.invoker.pool.stats().stemCells[runtime] ?? 0) > 0, 30_000);

  /**
   * Deploys the fixture with `env` and invokes it once, cold; `path` says how its
   * container must be made: a stem cell (one is ready, and it fits) or from scratch
   * (a /tmp size no stem cell has, so none fits).
   */
  async function coldRun(env: Record<string, string> | undefined, path: "stem" | "scratch") {
    const files = {
      [file]: await fixture(file),
      "bin/stratus-probe": { content: await fixture("stratus-probe"), mode: 0o755 },
    };
    const name = await deployFunction(stack, {
      runtime,
      handler,
      files,
      env,
      config: path === "scratch" ? { EphemeralStorage: { Size: 1024 } } : {},
    });
    await stemReady();
    const before = await coldStarts();
    const { out, body } = await invokeFunction(stack, name);
    expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
    return { body, before, after: await coldStarts() };
  }

  /** What the function reports, without what names its container. */
  const seen = (body: Record<string, unknown>) => {
    const { host: _host, environ: _environ, ...rest } = body;
    return rest;
  };

  it("a function's own PATH and TZ apply on a stem cell: in the runtime's clock and in a child found on its PATH", async () => {
    const own = { ...OWN, LANG: DEFAULT_LANG };
    const { body, before, after } = await coldRun(own, "stem");
    expect(after).toEqual({ stem: before.stem + 1, scratch: before.scratch });
    expect(body.env).toEqual(own);
    expect(body.utcOffsetMinutes).toBe(330);
    expect(body.child).toBe(`${OWN.PATH}|${DEFAULT_LANG}|${OWN.TZ}|+0530`);

    // The same function from scratch sees exactly the same.
    const scratch = await coldRun(own, "scratch");
    expect(scratch.after).toEqual({ stem: scratch.before.stem, scratch: scratch.before.scratch + 1 });
    expect(seen(scratch.body)).toEqual(seen(body));
  });

  it("a function's own LANG applies: it starts from scratch though a stem cell is ready", async () => {
    const own = { ...OWN, LANG: "de_DE.UTF-8" };
    const { body, before, after } = await coldRun(own, "stem");
    expect(after).toEqual({ stem: before.stem, scratch: before.scratch + 1 });
    expect(body.env).toEqual(own);
    expect(body.utcOffsetMinutes).toBe(330);
    expect(body.child).toBe(`${OWN.PATH}|de_DE.UTF-8|${OWN.TZ}|+0530`);
    // Node's ICU takes its default locale from LANG as it starts.
    if (runtime.startsWith("nodejs")) expect(body.locale).toBe("de-DE");
  });

  it("a function that sets none of them gets the defaults, and the same environment on a stem cell as from scratch", async () => {
    const stem = await coldRun(undefined, "stem");
    expect(stem.after.stem).toBe(stem.before.stem + 1);
    expect(stem.body.env).toEqual({ PATH: "/usr/local/bin:/usr/bin:/bin:/opt/bin", LANG: DEFAULT_LANG, TZ: ":UTC" });
    expect(stem.body.utcOffsetMinutes).toBe(0);
    expect(stem.body.child).toBeNull();
    const scratch = await coldRun(undefined, "scratch");
    expect(scratch.after.scratch).toBe(scratch.before.scratch + 1);
    expect(seen(scratch.body)).toEqual(seen(stem.body));
    expect(environ(stem.body)).toEqual(environ(scratch.body));
  });

  it("a function that sets its image's variables to empty values gets them empty, stem cell ready or not", async () => {
    // As in Lambda, the function's value wins, "" included: the runtime must not have
    // started with the image's value, as a stem cell's runtime did.
    const stem = await coldRun(emptied, "stem");
    // The ready stem cell's runtime started with the image's values: from scratch it is.
    expect(stem.after).toEqual({ stem: stem.before.stem, scratch: stem.before.scratch + 1 });
    const scratch = await coldRun(emptied, "scratch");
    expect(scratch.after.scratch).toBe(scratch.before.scratch + 1);
    expect(environ(stem.body)).toMatchObject(emptied);
    expect(environ(stem.body)).toEqual(environ(scratch.body));
    expect(seen(stem.body)).toEqual(seen(scratch.body));
    expect(stem.body.utcOffsetMinutes).toBe(0);
    if (runtime.startsWith("nodejs")) {
      expect(stem.body.modulePaths).not.toContain("/opt/nodejs/node_modules");
    } else {
      expect(stem.body).toMatchObject({ dontWriteBytecode: false, unbufferedStdout: false });
    }
  });
});
