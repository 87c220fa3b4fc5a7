// An invoker node's answer to a call that takes streams (internal-invoke.ts): a
// function that streamed its result is handed over as a stream, with how it ended to
// come from the trailers; one that answered whole is read whole, as are the node's
// own errors (restJson1).
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import {
  type InvokeOutcome,
  internalInvoke,
  parseRestJson1Error,
  parseRunUsage,
  type StratusError,
  streamTrailers,
} from "@stratus/shared";
import type { StreamExchanged } from "./stream-exchange.js";

/** How a streamed result ended: an empty payload, or the function's error (Lambda's error JSON) and functionError. */
export interface StreamEnd extends InvokeOutcome {
  logResult?: string;
}

export type NodeAnswer =
  | { mode: "buffered"; outcome: InvokeOutcome & { logResult?: string } }
  | {
      mode: "streaming";
      contentType: string;
      /** Destroyed with an error if the node breaks off the answer. */
      body: Readable;
      /** Once the body has ended; rejects (a ServiceException) if the answer broke off. */
      end: Promise<StreamEnd>;
    };

const EMPTY = Buffer.alloc(0);

/** A whole 200 answer as the function's outcome. */
export function bufferedOutcome(headers: IncomingHttpHeaders, body: Buffer): InvokeOutcome & { logResult?: string } {
  const fnError = headers[internalInvoke.functionErrorHeader];
  const logResult = headers[internalInvoke.logResultHeader];
  const usage = parseRunUsage(headers[internalInvoke.usageHeader]);
  return {
    payload: body,
    ...(fnError ? { functionError: "Unhandled" as const } : {}),
    ...(typeof logResult === "string" ? { logResult } : {}),
    ...(usage ? { usage } : {}),
  };
}

/** How the stream ended, from the answer's trailers. */
export function streamEndOf(trailers: IncomingHttpHeaders): StreamEnd {
  const logResult = trailers[streamTrailers.logResult];
  const usage = parseRunUsage(trailers[streamTrailers.usage]);
  const end: StreamEnd = {
    payload: EMPTY,
    ...(typeof logResult === "string" ? { logResult } : {}),
    ...(usage ? { usage } : {}),
  };
  if (!trailers[streamTrailers.functionError]) return end;
  const body = trailers[streamTrailers.errorBody];
  return { ...end, functionError: "Unhandled", payload: Buffer.from(typeof body === "string" ? body : "", "base64") };
}

/** `res` as a NodeAnswer; `failed` names what an exchange failure with node `nodeId` is. */
export async function readNodeAnswer(
  res: StreamExchanged,
  nodeId: string,
  failed: (err: unknown) => StratusError,
): Promise<NodeAnswer> {
  const contentType = res.headers[internalInvoke.streamContentTypeHeader];
  if (res.statusCode === 200 && res.headers[internalInvoke.responseModeHeader] === "streaming") {
    const end = res.trailers.then(streamEndOf, (err: unknown) => {
      throw failed(err);
    });
    end.catch(() => undefined);
    return {
      mode: "streaming",
      contentType: typeof contentType === "string" ? contentType : "application/octet-stream",
      body: res.body,
      end,
    };
  }
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
  } catch (err) {
    throw failed(err);
  }
  const body = Buffer.concat(chunks);
  if (res.statusCode === 200) return { mode: "buffered", outcome: bufferedOutcome(res.headers, body) };
  throw parseRestJson1Error(
    { statusCode: res.statusCode, headers: res.headers, body },
    `Invoker node ${nodeId} answered ${res.statusCode}`,
  );
}
