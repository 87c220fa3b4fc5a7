import { describe, expect, it } from "vitest";
import { startOnlyVariables, stemCellFits } from "./stem-fit.js";

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
      { PYTHONWARNINGS: "error", PYTHONHASHSEED: "0", PYTHONDONTWRITEBYTECODE: "1", PYTHONUTF8: "1" },
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
    // Empty is unset to the runtimes: what a stem cell sees anyway.
    ["nodejs20.x", { NODE_OPTIONS: "" }, []],
    ["provided.al2023", { LD_LIBRARY_PATH: "/var/task/lib", NODE_OPTIONS: "--x" }, ["LD_LIBRARY_PATH"]],
    ["no-such-runtime", { NODE_OPTIONS: "--x" }, []],
  ])("%s %j: %j", (runtime, environment, expected) => {
    expect(startOnlyVariables(runtime, environment)).toEqual(expected);
  });
});

describe("stemCellFits", () => {
  it.each([
    [{ runtime: "nodejs20.x", environment: {} }, true],
    [{ runtime: "nodejs20.x", environment: { GREETING: "hi" } }, true],
    [{ runtime: "nodejs20.x", environment: { NODE_OPTIONS: "--max-old-space-size=64" } }, false],
    [{ runtime: "python3.11", environment: { PYTHONPATH: "/var/task/lib" } }, false],
  ])("%j: %s", (spec, fits) => {
    expect(stemCellFits(spec)).toBe(fits);
  });
});
