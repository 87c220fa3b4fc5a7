// The Docker backend's OOM verdict on real Docker, below the pool: a container killed
// at its memory cap is reported OOM-killed, whichever of the engine's two signals (the
// OOMKilled flag, the "oom" event) came through; the event alone, which is what the
// backend goes by when the exit beat the flag, finds the kill too; and exits with the
// status a SIGKILL gives, but no OOM, are not taken for one. Which signal wins on a
// given run is the engine's race, so the event is checked on its own as well. A
// process killed for memory while the container's first process lives on is counted
// from the container's cgroup (the whole-platform side of that is oom-child.test.ts),
// and, by a backend that cannot read the cgroups, from the engine's oom events.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { createDockerBackend, dockerOomEvents } from "@stratus/invoker";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "./helpers/poll.js";

type ContainerBackend = ReturnType<typeof createDockerBackend>;

const docker = new Docker();
const backend = createDockerBackend();
/** A backend that looks for the cgroups where there are none (an invoker in a container without them). */
let blind: ContainerBackend;
const tag = randomBytes(4).toString("hex");
const network = `stratus-oom-test-${tag}`;
const labels = { "stratus.managed": "true", "stratus.node": `oom-test-${tag}` };
let codeDir: string;
let noCgroups: string;
const created: string[] = [];

beforeAll(async () => {
  codeDir = await mkdtemp(path.join(tmpdir(), "stratus-oom-"));
  noCgroups = await mkdtemp(path.join(tmpdir(), "stratus-no-cgroups-"));
  blind = createDockerBackend(undefined, noCgroups);
  // The containers' unprivileged user looks for its gate file in there.
  await chmod(codeDir, 0o755);
  await backend.ensureNetwork(network, labels);
});

afterAll(async () => {
  await Promise.all(created.map((id) => backend.remove(id)));
  await backend.removeNetwork(network);
  await backend.close();
  await blind.close();
  await rm(codeDir, { recursive: true, force: true });
  await rm(noCgroups, { recursive: true, force: true });
});

/**
 * Starts a hardened container of 64 MB that runs `script` in bash (its first
 * process) once the test lets it: the script's exit must not beat the backend's
 * reading of the container's address.
 */
async function run(script: string, on: ContainerBackend = backend): Promise<string> {
  const gate = `go-${created.length}`;
  const id = await on.create({
    image: "stratus/base:bookworm",
    env: {},
    labels,
    memoryMb: 64,
    ephemeralStorageMb: 16,
    codeDir,
    network,
    args: ["bash", "-c", `until [ -e /var/task/${gate} ]; do sleep 0.05; done; ${script}`],
  });
  created.push(id);
  await on.attach(id);
  await on.start(id, network);
  await writeFile(path.join(codeDir, gate), "");
  return id;
}

/** Asks the engine, as the backend does after an exit, for an "oom" event of `id` since it started. */
async function oomEventOf(id: string): Promise<boolean> {
  const info = await docker.getContainer(id).inspect();
  const abort = new AbortController();
  try {
    return await dockerOomEvents(docker, id)(Date.parse(info.State.StartedAt), Date.now() + 1000, abort.signal);
  } finally {
    abort.abort();
  }
}

describe("the Docker backend's OOM verdict", () => {
  it("reports a container killed at its memory cap as OOM-killed, and its oom event alone says so", async () => {
    // Doubles a string in bash's own process until the cap kills it.
    const id = await run('s=x; while true; do s="$s$s"; done');
    const exit = await backend.wait(id);
    expect(exit.exitCode).toBe(137);
    expect(await exit.oomKilled).toBe(true);
    expect(await oomEventOf(id)).toBe(true);
  });

  it("does not take an exit with status 137 for an OOM kill", async () => {
    const id = await run("exit 137");
    const exit = await backend.wait(id);
    expect(exit.exitCode).toBe(137);
    expect(await exit.oomKilled).toBe(false);
    expect(await oomEventOf(id)).toBe(false);
  });

  it("does not take its own removal's SIGKILL for an OOM kill", async () => {
    const id = await run("sleep infinity");
    const exit = backend.wait(id);
    await backend.remove(id);
    expect((await exit).exitCode).toBe(137);
    expect(await (await exit).oomKilled).toBe(false);
  });
});

/** bash as the container's first process starts a child that grows until the cap kills it, and lives on. */
const CHILD_OOM = 'bash -c \'s=x; while true; do s="$s$s"; done\'; echo "child ended: $?"; sleep infinity';

/** Waits until `on` counts one kill in `id`, from `source`. */
const oneKillFrom = (on: ContainerBackend, id: string, source: string) =>
  until(
    `the child's OOM kill counted from ${source}`,
    async () => isDeepStrictEqual(await on.oomKills(id), { source, kills: 1 }),
    10_000,
  );

describe("the Docker backend's count of OOM kills", () => {
  it("counts a child killed at the memory cap while the container's first process lives on", async () => {
    const id = await run(CHILD_OOM);
    await oneKillFrom(backend, id, "cgroup");
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
  });

  it("counts nothing in a container that stays within its cap", async () => {
    const id = await run("sleep infinity");
    expect(await backend.oomKills(id)).toEqual({ source: "cgroup", kills: 0 });
  });

  it("counts a child's kill from the engine's oom events where it cannot read the cgroups", async () => {
    const quiet = await run("sleep infinity", blind);
    expect(await blind.oomKills(quiet)).toEqual({ source: "engine_events", kills: 0 });
    const id = await run(CHILD_OOM, blind);
    await oneKillFrom(blind, id, "engine_events");
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
    expect(await blind.oomKills(quiet)).toEqual({ source: "engine_events", kills: 0 });
  });
});
