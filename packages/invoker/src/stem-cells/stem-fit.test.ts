import { describe, expect, it } from "vitest";
import { RUNTIME_DEFAULTS } from "../containers/container-env.js";
import { startOnlyVariables, stemCellFits } from "./stem-fit.js";

/** What a stem cell's runtime starts with: its image's variables under the platform's defaults. */
const NODE_STEM = {
  LAMBDA_TASK_ROOT: "/var/task",
  LANG: "C.UTF-8",
  NODE_PATH: "/opt/nodejs/node_modules:/var/runtime/node_modules",
  ...RUNTIME_DEFAULTS,
};
const STARTED_WITH: Record<string, Record<string, string>> = {
  "nodejs20.x": NODE_STEM,
  "nodejs22.x": NODE_STEM,
  "python3.11": { LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1", ...RUNTIME_DEFAULTS },
};
const startedWith = (runtime: string) => STARTED_WITH[runtime] ?? RUNTIME_DEFAULTS;

describe("startOnlyVariables", () => {
  it.each([
    ["nodejs20.x", { GREETING: "hi", NODE_ENV: "production" }, []],
    ["nodejs20.x", { NODE_OPTIONS: "--max-old-space-size=64" }, ["NODE_OPTIONS"]],
    ["nodejs22.x", { NODE_OPTIONS: "--require ./hook.js", A: "1" }, ["NODE_OPTIONS"]],
    ["nodejs20.x", { NODE_OPTIONS: "--enable-source-maps" }, ["NODE_OPTIONS"]],
    ["nodejs20.x", { NODE_EXTRA_CA_CERTS: "/var/task/ca.pem" }, ["NODE_EXTRA_CA_CERTS"]],
    ["nodejs20.x", { NODE_PATH: "/var/task/lib", UV_THREADPOOL_SIZE: "16" }, ["NODE_PATH", "UV_THREADPOOL_SIZE"]],
    // Read whenever a TLS connection or the clock is used, so a stem cell honours them.
    ["nodejs20.x", { NODE_TLS_REJECT_UNAUTHORIZED: "0", TZ: "Europe/Paris" }, []],
    // Another runtime's variables mean nothing to Node.
    ["nodejs20.x", { PYTHONPATH: "/var/task/lib" }, []],
    ["python3.11", { PYTHONPATH: "/var/task/lib" }, ["PYTHONPATH"]],
    [
      "python3.11",
      { PYTHONWARNINGS: "error", PYTHONHASHSEED: "0", PYTHONDONTWRITEBYTECODE: "0", PYTHONUTF8: "1" },
      ["PYTHONWARNINGS", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "PYTHONUTF8"],
    ],
    ["python3.11", { PYTHON_GIL: "0" }, ["PYTHON_GIL"]],
    ["python3.11", { PYTHONBREAKPOINT: "0", PYTHONASYNCIODEBUG: "1", NODE_OPTIONS: "--x" }, []],
    // The loader, malloc, OpenSSL and the locale are set up as any process starts.
    [
      "python3.11",
      { LD_LIBRARY_PATH: "/var/task/lib", MALLOC_ARENA_MAX: "2" },
      ["LD_LIBRARY_PATH", "MALLOC_ARENA_MAX"],
    ],
    ["nodejs20.x", { LD_PRELOAD: "/var/task/x.so", LC_ALL: "de_DE.UTF-8" }, ["LD_PRELOAD", "LC_ALL"]],
    ["nodejs22.x", { OPENSSL_CONF: "/var/task/openssl.cnf", GLIBC_TUNABLES: "x" }, ["OPENSSL_CONF", "GLIBC_TUNABLES"]],
    // The locale is fixed at start (Node's ICU, Python's encodings); the clock's zone
    // and PATH are taken on at specialisation.
    ["nodejs20.x", { LANG: "de_DE.UTF-8", TZ: "Asia/Kolkata", PATH: "/var/task/bin:/usr/bin:/bin" }, ["LANG"]],
    ["python3.11", { LANG: "C.UTF-8", TZ: "Asia/Kolkata", PATH: "/var/task/bin:/usr/bin:/bin" }, ["LANG"]],
    // A stem cell started with the platform's LANG: the same value fits.
    ["python3.11", { LANG: "en_US.UTF-8" }, []],
    ["nodejs22.x", { LANG: "en_US.UTF-8", LC_ALL: "en_US.UTF-8" }, ["LC_ALL"]],
    // Empty is unset to the runtimes: what a stem cell sees of a variable it started without...
    ["nodejs20.x", { NODE_OPTIONS: "" }, []],
    ["python3.11", { PYTHONWARNINGS: "" }, []],
    // ...but not of one its image (or the platform) set: the function's empty value must win.
    ["nodejs20.x", { NODE_PATH: "" }, ["NODE_PATH"]],
    ["nodejs22.x", { LANG: "" }, ["LANG"]],
    [
      "python3.11",
      { PYTHONUNBUFFERED: "", PYTHONDONTWRITEBYTECODE: "" },
      ["PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"],
    ],
    // The image's own value fits.
    ["nodejs20.x", { NODE_PATH: "/opt/nodejs/node_modules:/var/runtime/node_modules" }, []],
    ["python3.11", { PYTHONUNBUFFERED: "1" }, []],
    ["python3.11", { PYTHONUNBUFFERED: "0" }, ["PYTHONUNBUFFERED"]],
    ["provided.al2023", { LD_LIBRARY_PATH: "/var/task/lib", NODE_OPTIONS: "--x" }, ["LD_LIBRARY_PATH"]],
    ["no-such-runtime", { NODE_OPTIONS: "--x" }, []],
  ])("%s %j: %j", (runtime, environment, expected) => {
    expect(startOnlyVariables(runtime, environment, startedWith(runtime))).toEqual(expected);
  });
});

describe("stemCellFits", () => {
  const fn = (runtime: string, memoryMb: number, environment: Record<string, string> = {}) => ({
    runtime,
    memoryMb,
    environment,
  });
  it.each([
    ["a plain function", fn("nodejs20.x", 128), 128, true],
    ["ordinary variables", fn("nodejs20.x", 128, { GREETING: "hi" }), 128, true],
    ["a start-only variable", fn("nodejs20.x", 128, { NODE_OPTIONS: "--max-old-space-size=64" }), 128, false],
    ["a Python start-only variable", fn("python3.11", 128, { PYTHONPATH: "/var/task/lib" }), 128, false],
    // Node's heap is the same for every cap up to 512 MB...
    ["Node, 512 MB on a 128 MB stem cell", fn("nodejs20.x", 512), 128, true],
    ["Node, 128 MB on a 512 MB stem cell", fn("nodejs22.x", 128), 512, true],
    // ...and grows with the cap beyond.
    ["Node, 513 MB on a 128 MB stem cell", fn("nodejs20.x", 513), 128, false],
    ["Node, 2,048 MB on a 128 MB stem cell", fn("nodejs22.x", 2048), 128, false],
    ["Node, 128 MB on a 1,024 MB stem cell", fn("nodejs20.x", 128), 1024, false],
    ["Node, the stem cell's own 1,024 MB", fn("nodejs20.x", 1024), 1024, true],
    // Python sizes nothing by the cap.
    ["Python, 2,048 MB on a 128 MB stem cell", fn("python3.11", 2048), 128, true],
    // An image's variable emptied.
    ["Node, NODE_PATH emptied", fn("nodejs20.x", 128, { NODE_PATH: "" }), 128, false],
  ])("%s", (_name, spec, stemMb, fits) => {
    expect(stemCellFits(spec, { memoryMb: stemMb, startEnv: startedWith(spec.runtime) })).toBe(fits);
  });

  it.each([
    [128, true],
    [256, false],
  ])("on an engine that cannot resize, fits a function of %i MB on a 128 MB stem cell: %s", (memoryMb, fits) => {
    const stem = { memoryMb: 128, startEnv: startedWith("python3.11"), resizable: false };
    expect(stemCellFits(fn("python3.11", memoryMb), stem)).toBe(fits);
  });

  it("fits nothing on a stem cell whose start environment is not known", () => {
    expect(stemCellFits(fn("nodejs20.x", 128), { memoryMb: 128, startEnv: undefined })).toBe(false);
  });
});
