// The async invocation queue's contract: queue name and job payload. Jobs carry only
// the invocation id; the invocation itself (payload, attempts, status) lives in
// Postgres, which is the source of truth.
import { z } from "zod";

export const asyncQueue = {
  name: "stratus-async-invocations",
  /** BullMQ job id of an invocation's first run; retries and re-drives append a suffix. */
  jobId: (invocationId: string, suffix?: string) => (suffix ? `${invocationId}_${suffix}` : invocationId),
} as const;

export const AsyncJobSchema = z.object({ invocationId: z.string().uuid() });
export type AsyncJob = z.infer<typeof AsyncJobSchema>;
