// The process-wide budget for request bodies read before their signature is checked
// (readBody's ByteBudget): however many clients send at once, the bytes buffered for
// them stay under one limit, and past it new bytes are refused instead of held.
import type { ByteBudget } from "@stratus/shared";

export interface CountedBudget extends ByteBudget {
  /** Bytes held now. */
  held(): number;
}

export function createByteBudget(limit: number): CountedBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > limit) return false;
      held += bytes;
      return true;
    },
    give(bytes) {
      held = Math.max(0, held - bytes);
    },
    held: () => held,
  };
}
