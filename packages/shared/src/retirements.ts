// When a function, one of its versions, or an old revision of its $LATEST can no
// longer be invoked, the control plane says so on a Redis channel, and every invoker
// removes the containers that ran it at once instead of at their idle timeout. A node
// that misses a message (its connection was down) still removes them then.
import { z } from "zod";

export const retirements = { channel: "stratus:functions:retired" } as const;

export const RetirementSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/),
  functionName: z.string().min(1).max(64),
  /** Only this version ("$LATEST" or a number); absent: every version (the function is gone). */
  version: z.string().min(1).optional(),
  /** With version $LATEST: the revision that stays (its configuration or code just changed). */
  keepRevisionId: z.string().min(1).optional(),
});

export type Retirement = z.infer<typeof RetirementSchema>;

/** A notice as published on the channel; undefined for one that is not JSON or not a retirement. */
export function parseRetirement(message: string): Retirement | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = RetirementSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** What a container runs, as far as retirement is concerned. */
export interface RetirableOwner {
  accountId: string;
  functionName: string;
  version: string;
  revisionId: string;
}

/** Whether `r` retires containers running `owner`. */
export function retires(r: Retirement, owner: RetirableOwner): boolean {
  if (r.accountId !== owner.accountId || r.functionName !== owner.functionName) return false;
  if (r.version !== undefined && r.version !== owner.version) return false;
  return r.keepRevisionId === undefined || r.keepRevisionId !== owner.revisionId;
}
