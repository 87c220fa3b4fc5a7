// Which containers a provisioned set holds or may take, over the pool's container
// records: pinned ones still alive, idle ones of its version free to adopt, and the
// order in which a set gives up the ones it has too many of.
import type { Container } from "../containers/container.js";

/** Whether `c` is alive: not exited, dead or being removed (a dead one is only waiting to be cleared away). */
const alive = (c: Container) => c.state !== "removing" && c.life.state !== "exited" && c.life.state !== "dead";

/** Whether `c`'s runtime has finished its init: it has asked for work on /next at least once. */
export const initialised = (c: Container): boolean => c.session.readyAt !== undefined;

/** The live containers of `all` that are pinned to a set, any set. */
export function pinnedOf(all: Iterable<Container>): Container[] {
  return [...all].filter((c) => c.pinned !== undefined && alive(c));
}

/** Idle containers of `all` running `key` that no set holds, warmest first, none past its retireAt at `now`. */
export function adoptable(all: Iterable<Container>, key: string, now: number): Container[] {
  return [...all]
    .filter(
      (c) =>
        c.key === key &&
        c.life.state === "idle" &&
        c.pinned === undefined &&
        !c.retired &&
        (c.retireAt === undefined || now < c.retireAt),
    )
    .sort((a, b) => b.lastUsed - a.lastUsed);
}

/** How readily a set gives up `c`: an idle one first (its memory is freed at once), then one still in init, then a busy one. */
const giveUpRank = (c: Container) => (c.life.state === "idle" ? 0 : initialised(c) ? 2 : 1);

/** The `n` of a set's containers `held` to give up: least readily kept first, least recently used among equals. */
export function extras(held: readonly Container[], n: number): Container[] {
  return [...held].sort((a, b) => giveUpRank(a) - giveUpRank(b) || a.lastUsed - b.lastUsed).slice(0, n);
}
