// Network sandboxes: tiny placeholder containers whose only job is to own a network
// namespace (an address on the functions network, its veth pair and bridge port),
// made ahead of need. A function container created from scratch joins one
// (NetworkMode container:<id>) instead of waiting for Docker to build a namespace
// for it, which is most of a container start here (about 300 of 500 ms). A sandbox
// serves exactly one function container and is removed with it, so nothing of one
// function's network state ever meets another's.
import type { Logger } from "@stratus/shared";
import type Docker from "dockerode";
import { OWN_CGROUP_NAMESPACE } from "./docker-create-options.js";

export interface NetSandbox {
  id: string;
  ip: string;
  network: string;
}

export interface NetSandboxes {
  /** Keeps `size` sandboxes ready on `network`, carrying `labels` (the node's ownership). */
  keep(network: string, labels: Record<string, string>): void;
  /**
   * A ready sandbox on `network`, or undefined when none is (the caller creates its
   * own namespace). Taking one does not refill the reserve: call `replenish` once
   * the container that joined it has started, so that making the next sandbox does
   * not compete with that start for the engine and the CPU.
   */
  take(network: string): NetSandbox | undefined;
  /** Tops the reserve of `network` up again, in the background. */
  replenish(network: string): void;
  remove(id: string): Promise<void>;
  /** Whether a reserve is short of its size or being topped up. */
  short(): boolean;
  /** Stops replenishing and removes the ready sandboxes. */
  close(): Promise<void>;
}

export function createNetSandboxes(
  docker: Docker,
  image: string,
  size: number,
  log: Pick<Logger, "warn">,
): NetSandboxes {
  const ready = new Map<string, NetSandbox[]>();
  const filling = new Map<string, Promise<void>>();
  const labelsOf = new Map<string, Record<string, string>>();
  let closed = false;

  async function make(network: string): Promise<NetSandbox> {
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: ["/bin/sleep", "infinity"],
      User: "65534:65534",
      Labels: { ...labelsOf.get(network), "stratus.role": "net-sandbox" },
      HostConfig: {
        NetworkMode: network,
        Memory: 16 * 1024 * 1024,
        MemorySwap: 16 * 1024 * 1024,
        PidsLimit: 8,
        ...OWN_CGROUP_NAMESPACE,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges:true"],
        ReadonlyRootfs: true,
        RestartPolicy: { Name: "no" },
        LogConfig: { Type: "none", Config: {} },
      },
    });
    try {
      await container.start();
      const ip = (await container.inspect()).NetworkSettings.Networks[network]?.IPAddress;
      if (!ip) throw new Error(`sandbox ${container.id.slice(0, 12)} has no address on ${network}`);
      return { id: container.id, ip, network };
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Tops the reserve of `network` up, one sandbox at a time (no burst on the engine). */
  function fill(network: string): Promise<void> {
    let running = filling.get(network);
    if (!running) {
      running = topUp(network).finally(() => filling.delete(network));
      filling.set(network, running);
    }
    return running;
  }

  async function topUp(network: string): Promise<void> {
    try {
      while (!closed && (ready.get(network)?.length ?? 0) < size) {
        const sandbox = await make(network);
        if (closed) {
          await docker.getContainer(sandbox.id).remove({ force: true });
          break;
        }
        ready.set(network, [...(ready.get(network) ?? []), sandbox]);
      }
    } catch (err) {
      log.warn(`network sandbox: ${(err as Error).message}`);
    }
  }

  return {
    keep(network, labels) {
      labelsOf.set(network, labels);
      if (size > 0) void fill(network);
    },
    take(network) {
      return ready.get(network)?.shift();
    },
    replenish(network) {
      if (labelsOf.has(network) && size > 0) void fill(network);
    },
    short() {
      if (size === 0) return false;
      return filling.size > 0 || [...labelsOf.keys()].some((n) => (ready.get(n)?.length ?? 0) < size);
    },
    async remove(id) {
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    },
    async close() {
      closed = true;
      const all = [...ready.values()].flat();
      ready.clear();
      await Promise.all(all.map((s) => this.remove(s.id)));
      // A fill in progress removes what it makes once it sees `closed`.
      await Promise.all([...filling.values()]);
    },
  };
}
