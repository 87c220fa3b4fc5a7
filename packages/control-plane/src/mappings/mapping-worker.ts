// Every control plane runs this loop: it renews the leases of the mappings it holds,
// claims free or lapsed ones (up to its share), and settles each held mapping: a
// runner for an enabled one (restarted when its settings change), none for a disabled
// one, removal for a deleted one, moving State by the transition table. A lease it
// could not renew in time stops its runner before another control plane may claim it.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
import type { HeldLease, Mapping, MappingStore } from "../store/mapping-store.js";
import { heldUntil, mustStop, renewEveryMs } from "./lease.js";
import type { MappingRunner } from "./mapping-runner.js";
import { transition } from "./mapping-state.js";

export interface MappingWorker {
  /** This control plane's lease owner id. */
  readonly owner: string;
  stop(): Promise<void>;
}

interface Held {
  lease: HeldLease;
  until: number;
  runner?: MappingRunner;
}

export function startMappingWorker(
  store: MappingStore,
  start: (m: Mapping, report: (result: string) => Promise<void>) => MappingRunner,
  opts: { leaseMs: number; maxMappings: number },
  log: Pick<Logger, "warn">,
  now = Date.now,
): MappingWorker {
  const owner = randomUUID();
  const held = new Map<string, Held>();
  const tickMs = Math.min(renewEveryMs(opts.leaseMs), 1000);

  async function drop(uuid: string): Promise<void> {
    const h = held.get(uuid);
    held.delete(uuid);
    await h?.runner?.stop();
  }

  async function settle(h: Held): Promise<void> {
    const m = await store.held(h.lease.uuid);
    if (!m) return drop(h.lease.uuid);
    if (m.state === "Deleting") {
      await h.runner?.stop();
      h.runner = undefined;
      if (await store.remove(h.lease, owner)) held.delete(h.lease.uuid);
      return;
    }
    if (m.enabled) {
      if (h.runner?.revision !== m.revision) {
        await h.runner?.stop();
        h.runner = start(m, (result) => store.report(h.lease, owner, result));
      }
      if (m.state !== "Enabled")
        await store.settle(h.lease, owner, m.state, transition(m.state, "started"), m.revision);
    } else {
      await h.runner?.stop();
      h.runner = undefined;
      if (m.state !== "Disabled")
        await store.settle(h.lease, owner, m.state, transition(m.state, "stopped"), m.revision);
    }
  }

  async function round(): Promise<void> {
    const sent = now();
    const leases = [...held.values()].map((h) => h.lease);
    const renewed = new Set((await store.renew(owner, opts.leaseMs, leases)).map((l) => l.uuid));
    for (const l of leases) {
      if (!renewed.has(l.uuid)) await drop(l.uuid);
      else (held.get(l.uuid) as Held).until = heldUntil(sent, opts.leaseMs);
    }
    if (!loop.stopped()) {
      for (const lease of await store.claim(owner, opts.leaseMs, opts.maxMappings - held.size)) {
        await held.get(lease.uuid)?.runner?.stop();
        held.set(lease.uuid, { lease, until: heldUntil(sent, opts.leaseMs) });
      }
    }
    for (const h of [...held.values()]) {
      if (loop.stopped()) return;
      await settle(h).catch((err: Error) => log.warn("could not settle an event source mapping", { err }));
    }
  }

  const loop = startRepeating(round, {
    intervalMs: tickMs,
    onError: (err) => log.warn("event source mapping leases could not be renewed", { err }),
  });
  // Stops the runners of leases not renewed in time, even while Postgres does not answer.
  const guard = setInterval(() => {
    for (const [uuid, h] of held) if (mustStop(h.until, now())) void drop(uuid);
  }, tickMs);

  return {
    owner,
    async stop() {
      clearInterval(guard);
      await loop.stop();
      const leases = [...held.values()].map((h) => h.lease);
      await Promise.all([...held.keys()].map(drop));
      await store.release(owner, leases).catch((err: Error) => log.warn("could not release mapping leases", { err }));
    },
  };
}
