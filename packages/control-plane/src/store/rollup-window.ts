// Which hours a rollup pass rolls: from an hour before the watermark (rows that came
// late to the hour rolled last time) or, the first time, from the oldest raw row's
// hour, up to the last hour closed `graceMs` ago, at most `maxHours` at once. Pure.

const HOUR = 3_600_000;

export interface RollupWindow {
  /** Inclusive, hour-aligned. */
  from: Date;
  /** Exclusive, hour-aligned: the watermark after the pass. */
  to: Date;
}

export const floorHour = (t: number): number => Math.floor(t / HOUR) * HOUR;

/** The window of the next pass; undefined when no new hour has closed (nothing to roll). */
export function rollupWindow(
  rolledUntil: Date | null,
  oldest: Date | null,
  now: Date,
  graceMs: number,
  maxHours: number,
): RollupWindow | undefined {
  const closed = floorHour(now.getTime() - graceMs);
  let from: number;
  if (rolledUntil) {
    if (closed <= rolledUntil.getTime()) return undefined;
    from = rolledUntil.getTime() - HOUR;
  } else {
    if (!oldest) return undefined;
    from = floorHour(oldest.getTime());
  }
  const to = Math.min(closed, from + maxHours * HOUR);
  if (to <= from) return undefined;
  return { from: new Date(from), to: new Date(to) };
}
