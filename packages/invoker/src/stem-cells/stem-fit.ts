// Whether a stem cell can serve a function faithfully. A stem cell's runtime process
// started before it knew its function and adopts the function's environment while
// running, so whatever that process (or the C library under it) reads only when it
// starts keeps the stem cell's value: a function that sets such a variable would
// silently lose it, and Node keeps the heap it sized for the stem cell's memory cap.
// Such functions start from scratch, where the variables and the cap apply.
// When unsure whether a variable is read at start, it is listed: a scratch start is
// always faithful, it only costs a slower cold start.
//
// What a stem cell does take on when it specialises: TZ (Node resets its clock's
// zone when process.env.TZ is assigned; the Python runtime calls time.tzset()) and
// PATH (looked up afresh by every spawn, in the environment the child is given).
// LANG is not: Node's ICU fixes its default locale from it at start (measured: an
// assignment before any Intl use changes nothing), and Python its encodings and
// UTF-8 mode.
// A stem cell's runtime started with its image's variables (NODE_PATH,
// PYTHONUNBUFFERED, ...) under the platform's defaults (container-env.ts): a
// function whose value of a start-only variable is that one fits, any other needs
// scratch. An empty value is a value: the runtimes read it as unset, which the
// image's own value is not, so a function that empties an image's variable starts
// from scratch, where it is empty from the start.
//
// AWS_LAMBDA_EXEC_WRAPPER is not here because Stratus's runtime images do not honour
// it at all (from scratch or not); once they do, it belongs in EVERY_RUNTIME.
import { runtimes } from "@stratus/shared";

/** Read once by the dynamic loader, glibc, OpenSSL or the locale as any runtime process starts. */
const EVERY_RUNTIME = new Set(["GLIBC_TUNABLES", "OPENSSL_CONF", "OPENSSL_MODULES", "LANG"]);
/**
 * Whole families read at start: the dynamic loader's LD_* (LD_PRELOAD,
 * LD_LIBRARY_PATH, ...), glibc malloc's MALLOC_* (MALLOC_ARENA_MAX, ...) and the
 * locale's LC_* (Python fixes its encodings, Node's ICU its default locale, at start).
 */
const EVERY_RUNTIME_PREFIXES = ["LD_", "MALLOC_", "LC_"];

/** Node's own start-up variables (node --help, doc/api/cli.md) and libuv's. */
const NODE = new Set([
  "NODE_OPTIONS",
  "NODE_EXTRA_CA_CERTS",
  "NODE_PATH",
  "NODE_DEBUG",
  "NODE_DEBUG_NATIVE",
  "NODE_NO_WARNINGS",
  "NODE_PENDING_DEPRECATION",
  "NODE_PRESERVE_SYMLINKS",
  "NODE_REDIRECT_WARNINGS",
  "NODE_V8_COVERAGE",
  "NODE_ICU_DATA",
  "NODE_COMPILE_CACHE",
  "NODE_DISABLE_COMPILE_CACHE",
  "NODE_USE_ENV_PROXY",
  "NODE_USE_SYSTEM_CA",
  "NODE_SKIP_PLATFORM_CHECK",
  // libuv's thread pool is running, and its loop has chosen io_uring or not, before
  // any JavaScript (the runtime client's included) runs.
  "UV_THREADPOOL_SIZE",
  "UV_USE_IO_URING",
]);

/**
 * CPython reads its PYTHON* variables while the interpreter initialises (and new
 * versions keep adding some: PYTHON_GIL, PYTHON_CPU_COUNT...), except these, which it
 * reads when they are used.
 */
const PYTHON_READ_LATER = new Set(["PYTHONBREAKPOINT", "PYTHONASYNCIODEBUG"]);

/**
 * Node sizes V8's heap from the memory cap it sees as it starts: half the cap, never
 * less than 256 MB (measured on Node 20 and 22: caps of 128 to 512 MB give a 259 MB
 * heap limit, 1,024 MB 524 MB, 2,048 MB 1,048 MB). Raising a running stem cell's cap
 * leaves its heap as it was, so caps up to this size are all alike to Node, and
 * larger ones differ.
 */
const NODE_HEAP_FLOOR_MB = 512;
const nodeHeapBasis = (memoryMb: number) => Math.max(memoryMb, NODE_HEAP_FLOOR_MB);

function readAtStart(kind: "node" | "python" | "bootstrap", name: string): boolean {
  if (EVERY_RUNTIME.has(name) || EVERY_RUNTIME_PREFIXES.some((p) => name.startsWith(p))) return true;
  if (kind === "node") return NODE.has(name);
  if (kind === "python") return name.startsWith("PYTHON") && !PYTHON_READ_LATER.has(name);
  return false;
}

/**
 * The variables of `environment` that `runtime`'s process reads only when it starts
 * and that a stem cell's runtime, started with `startEnv`, read with another value
 * (a variable unset and one set empty are alike to the runtimes), so that the stem
 * cell would ignore them.
 */
export function startOnlyVariables(
  runtime: string,
  environment: Readonly<Record<string, string>>,
  startEnv: Readonly<Record<string, string>>,
): string[] {
  const info = runtimes[runtime as keyof typeof runtimes];
  if (!info) return [];
  return Object.entries(environment)
    .filter(([name, value]) => value !== (startEnv[name] ?? "") && readAtStart(info.entry.kind, name))
    .map(([name]) => name);
}

/**
 * Whether a stem cell of the function's runtime, started with a cap of
 * `stem.memoryMb` and the environment `stem.startEnv` (unknown: it fits nothing), runs
 * it as a container started for it would. On an engine that cannot resize a running
 * container (`stem.resizable` false), only a function of the stem cell's own size can.
 */
export function stemCellFits(
  spec: { runtime: string; environment: Readonly<Record<string, string>>; memoryMb: number },
  stem: { memoryMb: number; startEnv: Readonly<Record<string, string>> | undefined; resizable?: boolean },
): boolean {
  if (stem.resizable === false && spec.memoryMb !== stem.memoryMb) return false;
  if (!stem.startEnv || startOnlyVariables(spec.runtime, spec.environment, stem.startEnv).length > 0) return false;
  const kind = runtimes[spec.runtime as keyof typeof runtimes]?.entry.kind;
  return kind !== "node" || nodeHeapBasis(spec.memoryMb) === nodeHeapBasis(stem.memoryMb);
}
