// The pool's own data: its configuration and what an invoke returns.
import type { Readable } from "node:stream";
import type { InvokeOutcome } from "@stratus/shared";
import type { IdentityFor } from "../containers/function-identity.js";
import type { StemCellConfig } from "../stem-cells/stem-cells.js";

export interface PoolConfig {
  nodeId: string;
  network: string;
  capacityMb: number;
  idleTtlMs: number;
  /** An idle container is frozen this long after its invocation; undefined: never. */
  freezeIdleAfterMs?: number;
  /** Cap of one invocation's stored log. */
  logBytesPerInvocation: number;
  stemCells: StemCellConfig;
  /** What a container gets to call AWS services as its function (function-identity.ts); none when absent. */
  identity?: IdentityFor;
}

export interface PoolInvokeResult extends InvokeOutcome {
  /** Base64 of the log's last 4 KB, when asked for (X-Amz-Log-Type: Tail). */
  logResult?: string;
  /** Set when the function streams its result; `payload` is then empty. */
  stream?: PoolStream;
}

/** A streamed result: its bytes as they come, and, once they have ended, how the invocation did. */
export interface PoolStream {
  contentType: string;
  body: Readable;
  /** The invocation's end: its error (payload, functionError) if it failed mid-stream, the log tail if asked. */
  done: Promise<PoolInvokeResult>;
}
