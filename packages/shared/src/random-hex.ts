// Random hex for ids made on every invoke (trace and span ids, log-marker nonces):
// the bytes come from the same CSPRNG as crypto.randomBytes, drawn 4 KiB at a time,
// since a draw of a few bytes costs about as much as a draw of thousands.
import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes (at most 64) as lowercase hex. Never hands the same bytes out twice. */
export function randomHex(bytes: number): string {
  if (bytes > 64) throw new RangeError("randomHex draws at most 64 bytes");
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString("hex", used, used + bytes);
  used += bytes;
  return hex;
}
