// Every control plane runs this loop: it renews the leases of the mappings it holds,
// claims free or lapsed ones (up to its share), and settles each held mapping: a
// runner for an enabled one (restarted when its settings change), none for a disabled
// one, removal for a deleted one, moving State by the transition table. A Kafka
// mapping's poller slot (a lease of another shard) only runs one more member of its
// consumer group, and is let go when this control plane holds the mapping's own lease.
// A lease it could not renew in time stops its runner before another may claim it.
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
  /** By leaseKey. */
  const held = new Map<string, Held>();
  const leaseKey = (l: HeldLease) => `${l.uuid}/${l.shard}`;
  const tickMs = Math.min(renewEveryMs(opts.leaseMs), 1000);

  async function drop(key: string): Promise<void> {
    const h = held.get(key);
    held.delete(key);
    await h?.runner?.stop();
  }

  /** A poller slot: one more consumer group member while the mapping is enabled, none otherwise. */
  async function settleSlot(h: Held): Promise<void> {
    const key = leaseKey(h.lease);
    if (held.has(`${h.lease.uuid}/`)) {
      // This control plane runs the mapping's own member: the slot is for another one.
      await drop(key);
      await store.release(owner, [h.lease]);
      return;
    }
    const m = await store.held(h.lease.uuid);
    if (!m) return drop(key);
    if (m.enabled && m.state !== "Deleting") {
      if (h.runner?.revision !== m.revision) {
        await h.runner?.stop();
        h.runner = start(m, (result) => store.report(h.lease, owner, result));
      }
    } else {
      await h.runner?.stop();
      h.runner = undefined;
    }
  }

  async function settle(h: Held): Promise<void> {
    if (h.lease.shard !== "") return settleSlot(h);
    const m = await store.held(h.lease.uuid);
    if (!m) return drop(leaseKey(h.lease));
    if (m.state === "Deleting") {
      await h.runner?.stop();
      h.runner = undefined;
      if (await store.remove(h.lease, owner)) held.delete(leaseKey(h.lease));
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
    const renewed = new Set((await store.renew(owner, opts.leaseMs, leases)).map(leaseKey));
    for (const l of leases) {
      if (!renewed.has(leaseKey(l))) await drop(leaseKey(l));
      else (held.get(leaseKey(l)) as Held).until = heldUntil(sent, opts.leaseMs);
    }
    if (!loop.stopped()) {
      for (const lease of await store.claim(owner, opts.leaseMs, opts.maxMappings - held.size)) {
        await held.get(leaseKey(lease))?.runner?.stop();
        held.set(leaseKey(lease), { lease, until: heldUntil(sent, opts.leaseMs) });
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
    for (const [key, h] of held) if (mustStop(h.until, now())) void drop(key);
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
