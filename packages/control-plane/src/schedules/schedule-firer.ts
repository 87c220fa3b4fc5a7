// Every control plane runs this loop: once a second (and at once after a full batch)
// it claims the schedules due by now and writes their ticks (schedule-store.ts,
// firing.ts), then nudges the async relay to queue them. Claims skip rows another
// control plane holds, and a tick's invocation id is derived from the tick, so
// several control planes, or one killed mid-way, never fire a tick twice nor lose it.
import type { Logger } from "@stratus/shared";
import type { Counter } from "prom-client";
import { startRepeating } from "../repeating.js";
import type { Fired, Firing, Schedule } from "../store/schedule-store.js";
import { type Planned, planFiring } from "./firing.js";

export interface ScheduleFirer {
  stop(): Promise<void>;
}

const BATCH = 100;

/** `opts.plan`: what firing one claimed row writes (EventBridge rules bring theirs); a schedule's by default. */
export function startScheduleFirer<T = Schedule>(
  store: { fireDue(limit: number, fire: (s: T) => Firing): Promise<Fired> },
  relay: { nudge(): void },
  opts: { intervalMs: number; region: string; plan?: (s: T, now: Date, region: string) => Planned },
  counted: { fired: Pick<Counter, "inc">; skipped: Pick<Counter, "inc"> },
  log: Pick<Logger, "warn">,
  now = () => new Date(),
): ScheduleFirer {
  async function round(): Promise<void> {
    for (;;) {
      let claimed = 0;
      let skipped = 0;
      const { written, lost } = await store.fireDue(BATCH, (s) => {
        claimed++;
        const plan = (opts.plan ?? (planFiring as unknown as (s: T, now: Date, region: string) => Planned))(
          s,
          now(),
          opts.region,
        );
        skipped += plan.skipped;
        return plan;
      });
      if (written > 0) {
        counted.fired.inc(written);
        relay.nudge();
      }
      if (skipped > 0) counted.skipped.inc(skipped);
      if (lost > 0) {
        counted.skipped.inc(lost);
        log.warn("a queue target's queue no longer exists, and it has no dead-letter queue: deliveries lost", { lost });
      }
      if (claimed < BATCH || loop.stopped()) return;
    }
  }

  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs,
    onError: (err) => log.warn("could not fire due schedules", { err }),
  });
  return { stop: loop.stop };
}
