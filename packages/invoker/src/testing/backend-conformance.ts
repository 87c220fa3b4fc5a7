// Test support: the contract of a container backend's core, as vitest cases for any
// backend. A target says how its containers run a small program (print, exit, hog
// memory, fill its process table, run until removed) once released; the fake backend (a unit test) and the
// Docker backend (tests/backend-conformance.test.ts) are each held to it.
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ContainerBackend, type ContainerSpec, capabilitiesOf } from "../backend/container-backend.js";

/** What a test container does once released. */
export type Program =
  /** Prints `stdout` and `stderr` (a line each, if given) and exits with `exitCode`. */
  | { kind: "exit"; exitCode: number; stdout?: string; stderr?: string }
  /** Grows its memory until the kernel kills it at its cap. */
  | { kind: "hog-memory" }
  /** Starts processes until the kernel refuses one at the container's process limit, then runs on. */
  | { kind: "fill-processes" }
  /** Runs until it is removed. */
  | { kind: "run" };

export interface Prepared {
  spec: ContainerSpec;
  /** Lets container `id` (made from `spec` and started) run its program. */
  release(id: string): Promise<void>;
}

export interface ConformanceTarget {
  backend: ContainerBackend;
  network: string;
  /** A spec that runs `program` once released, carrying `labels` beside the target's own. */
  prepare(program: Program, labels?: Record<string, string>): Promise<Prepared>;
  close(): Promise<void>;
}

/** Everything `stream` carries until it ends. */
function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    stream.on("data", (chunk: Buffer | string) => {
      text += chunk.toString();
    });
    stream.once("end", () => resolve(text));
    stream.once("error", reject);
  });
}

/** Defines the contract's cases against the target `make` builds (once, for all of them). */
export function backendConformance(name: string, make: () => Promise<ConformanceTarget>): void {
  describe(`${name} backend conformance`, () => {
    let target: ConformanceTarget;
    let backend: ContainerBackend;
    const made: string[] = [];

    beforeAll(async () => {
      target = await make();
      backend = target.backend;
    });

    afterAll(async () => {
      await Promise.all(made.map((id) => backend.remove(id)));
      await target?.close();
    });

    /** Creates, attaches to and starts a container of `program`; returns it with its address and output. */
    async function launch(program: Program, labels: Record<string, string> = {}) {
      const { spec, release } = await target.prepare(program, labels);
      const id = await backend.create(spec);
      made.push(id);
      const { stdout, stderr } = await backend.attach(id);
      const output = Promise.all([readAll(stdout), readAll(stderr)]);
      const { ip } = await backend.start(id, target.network);
      return { id, ip, spec, output, release: () => release(id) };
    }

    it("gives a started container an address", async () => {
      const { ip } = await launch({ kind: "run" });
      expect(ip).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    });

    it("delivers stdout and stderr apart, both ending when the container exits", async () => {
      const c = await launch({ kind: "exit", exitCode: 0, stdout: "to stdout", stderr: "to stderr" });
      await c.release();
      expect(await c.output).toEqual(["to stdout\n", "to stderr\n"]);
    });

    it("resolves wait with the exit code of a container that exits by itself, and no OOM kill", async () => {
      const c = await launch({ kind: "exit", exitCode: 3 });
      const exit = backend.wait(c.id);
      await c.release();
      expect((await exit).exitCode).toBe(3);
      expect(await (await exit).oomKilled).toBe(false);
      // Asked again after the exit, it tells the same.
      expect((await backend.wait(c.id)).exitCode).toBe(3);
    });

    it("resolves wait when a running container is removed, its SIGKILL no OOM kill", async () => {
      const c = await launch({ kind: "run" });
      const exit = backend.wait(c.id);
      await backend.remove(c.id);
      expect((await exit).exitCode).toBe(137);
      expect(await (await exit).oomKilled).toBe(false);
    });

    it("removes idempotently: a removed container and one never made are removed without error", async () => {
      const c = await launch({ kind: "run" });
      await backend.remove(c.id);
      await expect(backend.remove(c.id)).resolves.toBeUndefined();
      await expect(backend.remove("0".repeat(64))).resolves.toBeUndefined();
    });

    it("tells a container killed at its memory cap OOM-killed, even when removed as soon as it exits", async () => {
      const c = await launch({ kind: "hog-memory" });
      const exit = backend.wait(c.id);
      await c.release();
      const { exitCode, oomKilled } = await exit;
      await backend.remove(c.id);
      expect(exitCode).toBe(137);
      expect(await oomKilled).toBe(true);
    });

    it("lists the containers carrying all the labels asked for, running or exited, until removed", async () => {
      const mark = { "stratus.conformance": `${Date.now()}-${Math.random()}` };
      const running = await launch({ kind: "run" }, mark);
      const exited = await launch({ kind: "exit", exitCode: 0 }, mark);
      await launch({ kind: "run" });
      const exit = backend.wait(exited.id);
      await exited.release();
      await exit;
      expect((await backend.listByLabels(mark)).sort()).toEqual([running.id, exited.id].sort());
      await backend.remove(running.id);
      expect(await backend.listByLabels(mark)).toEqual([exited.id]);
    });

    it("with memory stats, counts no OOM kill in a container within its cap", async () => {
      const memory = capabilitiesOf(backend).memory;
      if (!memory) return;
      const c = await launch({ kind: "run" });
      const counted = await memory.oomKills(c.id);
      expect(counted?.source === "none" || counted?.kills === 0).toBe(true);
    });

    it("with a process limit, counts no refused fork within it, and counts those of a program that filled it", async () => {
      const processLimit = capabilitiesOf(backend).processLimit;
      if (!processLimit) return;
      const calm = await launch({ kind: "run" });
      await calm.release();
      expect(await processLimit.forkRefusals(calm.id)).toBe(0);
      const full = await launch({ kind: "fill-processes" });
      await full.release();
      await vi.waitFor(async () => expect(await processLimit.forkRefusals(full.id)).toBeGreaterThan(0), {
        timeout: 30_000,
        interval: 100,
      });
    });

    it("with the start environment, tells the spec's variables", async () => {
      const environment = capabilitiesOf(backend).environment;
      if (!environment) return;
      const c = await launch({ kind: "run" });
      expect(await environment.environment(c.id)).toMatchObject(c.spec.env);
    });

    it("with naming, renames a running container, and a name taken by another is refused", async () => {
      const naming = capabilitiesOf(backend).naming;
      if (!naming) return;
      const [a, b] = [await launch({ kind: "run" }), await launch({ kind: "run" })];
      const name = `stratus-conformance-${a.id.slice(0, 12)}`;
      await naming.rename(a.id, name);
      expect(await naming.nameOf(a.id)).toBe(name);
      await expect(naming.rename(b.id, name)).rejects.toThrow();
      expect(await naming.nameOf(b.id)).not.toBe(name);
      // A name given at create is the container's from the start.
      const { spec } = await target.prepare({ kind: "run" });
      const named = await backend.create({ ...spec, name: `${name}-at-create` });
      made.push(named);
      expect(await naming.nameOf(named)).toBe(`${name}-at-create`);
    });

    it("with freezing, freezes and thaws a running container, removes a frozen one, and cannot freeze an exited one", async () => {
      const freezing = capabilitiesOf(backend).freezing;
      if (!freezing) return;
      const c = await launch({ kind: "run" });
      await freezing.freeze(c.id);
      await freezing.thaw(c.id);
      await freezing.freeze(c.id);
      const exit = backend.wait(c.id);
      await backend.remove(c.id);
      expect((await exit).exitCode).toBe(137);
      // One that has exited cannot be frozen.
      const exited = await launch({ kind: "exit", exitCode: 0 });
      const ended = backend.wait(exited.id);
      await exited.release();
      await ended;
      await expect(freezing.freeze(exited.id)).rejects.toThrow();
    });

    it("with resizing, changes a running container's memory cap", async () => {
      const resizing = capabilitiesOf(backend).resizing;
      if (!resizing) return;
      const c = await launch({ kind: "run" });
      await expect(resizing.resize(c.id, 96)).resolves.toBeUndefined();
    });
  });
}
