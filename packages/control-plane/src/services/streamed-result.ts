// What InvokeService.invokeStream hands its callers (InvokeWithResponseStream, function
// URLs in RESPONSE_STREAM mode): the function's bytes as they come, whether it
// streamed them or answered whole, and how it ended.
import { Readable } from "node:stream";
import type { InvokeOutcome, TraceContext } from "@stratus/shared";
import type { StreamEnd } from "../routing/invoker-client.js";

export type { StreamEnd } from "../routing/invoker-client.js";

/** What invokeStream hands back as soon as the function's answer begins. */
export interface StreamedInvokeResult {
  requestId: string;
  executedVersion: string;
  /** The trace the call ran in. */
  trace: TraceContext;
  /** "streaming": the function streamed (Lambda-Runtime-Function-Response-Mode: streaming); "buffered": it answered whole. */
  mode: "streaming" | "buffered";
  /** The stream's declared content type (a function URL's prelude: application/vnd.awslambda.http-integration-response); application/json when buffered. */
  contentType: string;
  /** The function's bytes as they come; destroyed with an error if the node breaks off. A buffered error leaves it empty. */
  body: Readable;
  /** Once the body has ended: the function's error (functionError, its error JSON as payload) if it failed, the log tail if asked. */
  end: Promise<StreamEnd>;
}

const EMPTY = Buffer.alloc(0);

/** A whole answer in invokeStream's shape: its payload the one chunk, or, for a function error, none and the error at the end. */
export function wholeAsStream(
  outcome: InvokeOutcome & { logResult?: string },
): Pick<StreamedInvokeResult, "mode" | "contentType" | "body" | "end"> {
  const { logResult } = outcome;
  const tail = logResult === undefined ? {} : { logResult };
  const failed = outcome.functionError !== undefined;
  return {
    mode: "buffered",
    contentType: "application/json",
    body: Readable.from(failed ? [] : [outcome.payload]),
    end: Promise.resolve(failed ? { ...outcome } : { payload: EMPTY, ...tail }),
  };
}
