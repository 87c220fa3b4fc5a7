// The engine's only source of randomness: a generator seeded from the execution and
// the point in its history, so deciding the same history twice draws the same numbers
// (States.UUID, States.MathRandom, $random(), FULL jitter).
import { createHash } from "node:crypto";

/** A mulberry32 generator seeded by the SHA-256 of `seed`. */
export function seededRandom(seed: string): () => number {
  let state = createHash("sha256").update(seed).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
