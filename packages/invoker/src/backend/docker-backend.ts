// ContainerBackend over the Docker Engine API (dockerode). Every function container
// is created hardened (docker-create-options.ts): all capabilities dropped,
// no-new-privileges, a fixed non-root user, read-only root with a size-capped /tmp,
// memory = memory+swap = the function's memory size, CPU share proportional to
// memory, pids and nofile limits, no published ports, Docker's init as PID 1 (it
// reaps orphans), on the node's own functions network (inter-container traffic off;
// the host kept out by function-firewall.ts): in a network sandbox made ahead
// (net-sandboxes.ts) when one is ready, else in a namespace of its own. Idle
// containers are frozen through their cgroup's freezer. An exit is reported at once;
// whether it was an OOM kill follows (oom-check.ts): Docker's OOMKilled flag, or the
// container's "oom" event when the flag lost its race (a removal waits for that
// verdict, which inspects the container). Kills of processes the runtime outlives
// are counted by the container's memory cgroup (cgroup-files.ts), as is its peak
// memory; on a node that cannot read the cgroups, by the engine's "oom" events
// (docker-oom-tally.ts).
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import type { Logger } from "@stratus/shared";
import Docker from "dockerode";
import { ForkRefusalFiles, OomKillFiles, PeakMemoryFiles } from "./cgroup-files.js";
import {
  type ContainerBackend,
  type ContainerExit,
  type ContainerSpec,
  type Freezing,
  type Images,
  MANAGED_LABEL,
  type ManagedInventory,
  type MemoryStats,
  type Naming,
  type Networks,
  NODE_LABEL,
  type PreparesAhead,
  type ProcessLimit,
  type Resizing,
  type StartEnvironment,
} from "./container-backend.js";
import { containerCreateOptions, sizing } from "./docker-create-options.js";
import { dockerImages } from "./docker-images.js";
import { dockerOomEvents } from "./docker-oom-events.js";
import { DockerOomTally } from "./docker-oom-tally.js";
import { FreezerFiles } from "./freezer-files.js";
import { createNetSandboxes, type NetSandbox } from "./net-sandboxes.js";
import { checkOomKilled } from "./oom-check.js";

const MB = 1024 * 1024;
/** Longest a taken network sandbox waits for its replacement to be started. */
const SANDBOX_REFILL_AFTER_MS = 1_000;

const BRIDGE_NAME = "com.docker.network.bridge.name";
const ICC = "com.docker.network.bridge.enable_icc";

/**
 * A functions network's bridge options: no traffic between its containers (ICC off),
 * and a bridge named after the network, so the node's firewall rules (function-firewall.ts)
 * match it even when the network is made again.
 */
export function functionsNetworkOptions(network: string): Record<string, string> {
  const hash = createHash("sha256").update(network).digest("hex").slice(0, 10);
  return { [ICC]: "false", [BRIDGE_NAME]: `stfn-${hash}` };
}

function isolated(options: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return options?.[ICC] === wanted[ICC] && options?.[BRIDGE_NAME] === wanted[BRIDGE_NAME];
}

export interface SandboxOptions {
  /** Network sandboxes kept ready per network (0: every container makes its own namespace). */
  size: number;
  /** The image sandboxes run `sleep` from. */
  image: string;
  log: Pick<Logger, "warn">;
}

/** The Docker backend has every capability, and keeps sandboxes and an event stream to close. */
export type DockerBackend = ContainerBackend &
  MemoryStats &
  ProcessLimit &
  Resizing &
  Naming &
  Freezing &
  Images &
  StartEnvironment &
  PreparesAhead &
  Networks &
  ManagedInventory & {
    /** Releases what the backend keeps ahead of need (after every container is removed). */
    close(): Promise<void>;
  };

export function createDockerBackend(
  socketPath = "/var/run/docker.sock",
  cgroupRoot = "/sys/fs/cgroup",
  sandboxOptions?: SandboxOptions,
): DockerBackend {
  const docker = new Docker({ socketPath });
  const sandboxes = sandboxOptions
    ? createNetSandboxes(docker, sandboxOptions.image, sandboxOptions.size, sandboxOptions.log)
    : undefined;
  /** Containers that joined a network sandbox, and the sandbox. */
  const joined = new Map<string, NetSandbox>();
  /** Containers this backend is removing: their SIGKILL is ours, no OOM to look for. */
  const removing = new Set<string>();
  /** OOM verdicts still being looked for, by container: the look inspects the container, so a removal waits for it. */
  const verdicts = new Map<string, Promise<boolean>>();
  const peaks = new PeakMemoryFiles(cgroupRoot);
  const oomKills = new OomKillFiles(cgroupRoot);
  const forkRefusals = new ForkRefusalFiles(cgroupRoot);
  const freezer = new FreezerFiles(cgroupRoot);
  const oomEvents = new DockerOomTally(docker);
  /** `id`'s cold start is over: the sandbox it took may be replaced (a no-op when the reserve is full). */
  const settle = (id: string) => {
    const sandbox = joined.get(id);
    if (sandbox) sandboxes?.replenish(sandbox.network);
  };

  return {
    async ensureNetwork(name, labels) {
      const wanted = functionsNetworkOptions(name);
      let info = await docker
        .getNetwork(name)
        .inspect()
        .catch(() => undefined);
      if (info && !isolated(info.Options, wanted)) {
        // Made before functions were isolated (or by hand): made again, isolated. Its
        // node removed its containers as it started, so nothing is attached.
        await docker.getNetwork(name).remove();
        info = undefined;
      }
      if (!info) {
        try {
          await docker.createNetwork({
            Name: name,
            Driver: "bridge",
            Labels: labels,
            Options: wanted,
            CheckDuplicate: true,
          });
        } catch (err) {
          // Another process created it first.
          if ((err as { statusCode?: number }).statusCode !== 409) throw err;
        }
        info = await docker.getNetwork(name).inspect();
      }
      const gateway = info.IPAM?.Config?.[0]?.Gateway;
      if (!gateway) throw new Error(`network ${name} has no IPv4 gateway`);
      sandboxes?.keep(name, labels);
      return { gateway, bridge: wanted[BRIDGE_NAME] as string };
    },
    async removeNetwork(name) {
      await docker
        .getNetwork(name)
        .remove()
        .catch((err: { statusCode?: number }) => {
          if (err.statusCode !== 404) throw err;
        });
    },
    async create(spec: ContainerSpec) {
      const sandbox = spec.netSandbox ? sandboxes?.take(spec.network) : undefined;
      const container = await docker
        .createContainer(containerCreateOptions(spec, sandbox ? `container:${sandbox.id}` : spec.network))
        .catch(async (err: unknown) => {
          if (sandbox) {
            await sandboxes?.remove(sandbox.id);
            sandboxes?.replenish(spec.network);
          }
          throw err;
        });
      if (sandbox) joined.set(container.id, sandbox);
      oomEvents.track(container.id);
      return container.id;
    },
    settled: settle,
    preparing: () => sandboxes?.short() ?? false,
    ...dockerImages(docker),
    async environment(id) {
      const info = await docker.getContainer(id).inspect();
      const env: Record<string, string> = {};
      for (const entry of info.Config.Env ?? []) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      return env;
    },
    async resize(id, memoryMb) {
      await docker.getContainer(id).update(sizing(memoryMb));
    },
    async rename(id, name) {
      await docker.getContainer(id).rename({ name });
    },
    // Through the container's freezer file where this node can write it (freezer-files.ts),
    // else the engine's pause: the same cgroup freezer, a round trip through the engine.
    async freeze(id) {
      if (await freezer.freeze(id)) return;
      await docker.getContainer(id).pause();
    },
    async thaw(id) {
      if (await freezer.thaw(id)) return;
      await docker.getContainer(id).unpause();
    },
    async nameOf(id) {
      return (await docker.getContainer(id).inspect()).Name.replace(/^\//, "");
    },
    async start(id, network) {
      const container = docker.getContainer(id);
      const sandbox = joined.get(id);
      try {
        await container.start();
      } finally {
        // The next sandbox is made once this container's cold start is over (settled),
        // not beside it (net-sandboxes.ts); after a while at the latest.
        if (sandbox) setTimeout(() => settle(id), SANDBOX_REFILL_AFTER_MS).unref();
      }
      // Its counters' files are opened now, not on its first invocation's path (unless
      // it is being removed meanwhile: nothing would close them).
      if (!removing.has(id)) {
        oomKills.prime(id);
        peaks.prime(id);
        forkRefusals.prime(id);
      }
      // A container in a sandbox has the sandbox's address: no inspect needed.
      if (sandbox) return { ip: sandbox.ip };
      const info = await container.inspect();
      const ip = info.NetworkSettings.Networks[network]?.IPAddress;
      if (!ip) throw new Error(`container ${id.slice(0, 12)} has no address on ${network}`);
      return { ip };
    },
    async attach(id) {
      const stream = await docker.getContainer(id).attach({ stream: true, stdout: true, stderr: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      docker.modem.demuxStream(stream, stdout, stderr);
      // A stream that breaks off ("close" without "end") has ended too: a log waiting for more must stop.
      const end = () => {
        if (!stdout.writableEnded) stdout.end();
        if (!stderr.writableEnded) stderr.end();
      };
      stream.on("end", end);
      stream.on("close", end);
      return { stdout, stderr };
    },
    async maxMemoryMb(id) {
      // The cgroup's own peak counter is a file read; the stats API is a round trip
      // through the engine, so it is only the fallback.
      const peak = peaks.read(id);
      if (typeof peak === "number") return peak;
      const stats = (await docker.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false })) as {
        memory_stats?: { max_usage?: number; usage?: number };
      };
      const bytes = stats.memory_stats?.max_usage ?? stats.memory_stats?.usage;
      return bytes === undefined ? undefined : Math.ceil(bytes / MB);
    },
    async oomKills(id) {
      // The cgroup first: Docker's "oom" event trails the kill and can come after the
      // runtime's answer, when the invocation it belongs to has been judged.
      const counted = oomKills.read(id);
      if (typeof counted === "number") return { source: "cgroup", kills: counted };
      if (counted === "gone") return undefined;
      const kills = await oomEvents.kills(id);
      return kills === undefined ? { source: "none" } : { source: "engine_events", kills };
    },
    async forkRefusals(id) {
      const refused = forkRefusals.read(id);
      return typeof refused === "number" ? refused : undefined;
    },
    async wait(id): Promise<ContainerExit> {
      const container = docker.getContainer(id);
      const result = (await container.wait()) as { StatusCode: number };
      // Read at the exit: a removal begun after it did not cause it.
      const exit = { exitCode: result.StatusCode, stoppedByUs: removing.has(id) };
      const oomKilled = checkOomKilled(exit, {
        inspect: async () => {
          const info = await container.inspect();
          return { oomKilledFlag: info.State.OOMKilled, startedAtMs: Date.parse(info.State.StartedAt) };
        },
        events: dockerOomEvents(docker, id),
      });
      verdicts.set(id, oomKilled);
      void oomKilled.finally(() => {
        if (verdicts.get(id) === oomKilled) verdicts.delete(id);
      });
      return { exitCode: result.StatusCode, oomKilled };
    },
    async remove(id) {
      removing.add(id);
      peaks.forget(id);
      oomKills.forget(id);
      forkRefusals.forget(id);
      freezer.forget(id);
      oomEvents.forget(id);
      // checkOomKilled never rejects, and gives up after OOM_CHECK_LIMIT_MS.
      await verdicts.get(id);
      try {
        await docker.getContainer(id).remove({ force: true, v: true });
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        // 404: already gone; 409: removal already in progress.
        if (status !== 404 && status !== 409) throw err;
      } finally {
        // Its wait() has long seen the exit by the time this fires.
        setTimeout(() => removing.delete(id), 5_000).unref();
      }
      const sandbox = joined.get(id);
      joined.delete(id);
      if (sandbox) {
        await sandboxes?.remove(sandbox.id);
        sandboxes?.replenish(sandbox.network); // in case it was removed before it started
      }
    },
    async close() {
      oomEvents.close();
      await sandboxes?.close();
    },
    async listManaged() {
      const filters = { label: [`${MANAGED_LABEL}=true`] };
      const [containers, networks] = await Promise.all([
        docker.listContainers({ all: true, filters }),
        docker.listNetworks({ filters }),
      ]);
      return [
        ...containers.map((c) => ({
          kind: "container" as const,
          id: c.Id,
          node: c.Labels[NODE_LABEL] ?? "",
          createdAt: c.Created * 1000,
        })),
        ...networks.map((n) => ({
          kind: "network" as const,
          id: n.Id,
          node: n.Labels?.[NODE_LABEL] ?? "",
          createdAt: Date.parse(n.Created),
        })),
      ];
    },
    async listByLabels(labels) {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const list = await docker.listContainers({ all: true, filters });
      return list.map((c) => c.Id);
    },
  };
}
