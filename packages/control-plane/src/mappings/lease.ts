// Lease arithmetic for event source mappings, as plain functions over plain data. The
// SQL in store/mapping-store.ts applies the same rules with Postgres's clock (claim,
// renew); the holder uses its own clock only to stop early, never to hold longer.

export interface Lease {
  owner: string | null;
  epoch: number;
  expiresAt: number;
}

/** A lease `me` may take: free, lapsed, or already its own. */
export const claimable = (lease: Lease, me: string, now: number) =>
  lease.owner === null || lease.owner === me || lease.expiresAt <= now;

/** The epoch after `me` claims `lease`: unchanged when it is renewing its own, one more on a change of owner. */
export const epochAfterClaim = (lease: Lease, me: string) => (lease.owner === me ? lease.epoch : lease.epoch + 1);

/** How often a holder renews: three chances before the lease could lapse. */
export const renewEveryMs = (leaseMs: number) => Math.max(100, Math.floor(leaseMs / 3));

/**
 * Until when (by the holder's clock) it may act on a lease it renewed with a request
 * sent at `sentAt`: the lease's length counted from the sending (the server's expiry
 * cannot be earlier), less a margin for clock drift and the work it is finishing.
 */
export const heldUntil = (sentAt: number, leaseMs: number) => sentAt + leaseMs - Math.floor(leaseMs / 6);

/** Whether the holder must stop: past heldUntil without a renewal. */
export const mustStop = (heldUntilMs: number, now: number) => now >= heldUntilMs;
