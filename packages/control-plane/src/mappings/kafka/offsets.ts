// Which offset a partition may commit, as a plain function: records are taken in
// order and settled (done or given up) possibly out of order (a filtered record is
// settled before an earlier one is invoked); the commit point never passes a record
// that is not settled, so a crash redelivers it rather than losing it.

export interface PartitionLedger {
  /** Offsets taken and not settled, ascending. */
  open: bigint[];
  /** One past the highest offset taken. */
  nextTaken: bigint;
}

export const emptyLedger = (): PartitionLedger => ({ open: [], nextTaken: -1n });

export function taken(l: PartitionLedger, offset: bigint): PartitionLedger {
  return { open: [...l.open, offset], nextTaken: offset + 1n > l.nextTaken ? offset + 1n : l.nextTaken };
}

export function settled(l: PartitionLedger, offsets: ReadonlySet<bigint>): PartitionLedger {
  return { ...l, open: l.open.filter((o) => !offsets.has(o)) };
}

/** The offset to commit: the lowest one still open, else one past the highest taken (undefined: none taken). */
export function commitPoint(l: PartitionLedger): bigint | undefined {
  if (l.open.length > 0) return l.open[0];
  return l.nextTaken >= 0n ? l.nextTaken : undefined;
}

/**
 * Where AT_TIMESTAMP starts the partitions a member was given: each one the group has
 * committed no offset for (-1) starts at the first record at or after the timestamp;
 * the others go on from their committed offset (no seek).
 */
export function timestampSeeks(
  assigned: readonly number[],
  committed: ReadonlyArray<{ partition: number; offset: string }>,
  atTimestamp: ReadonlyArray<{ partition: number; offset: string }>,
): Array<{ partition: number; offset: string }> {
  const done = new Set(committed.filter((c) => BigInt(c.offset) >= 0n).map((c) => c.partition));
  return assigned.flatMap((partition) => {
    const at = atTimestamp.find((a) => a.partition === partition);
    return done.has(partition) || !at ? [] : [{ partition, offset: at.offset }];
  });
}
