// One HTTP exchange over an undici dispatcher whose answer is handed over as it
// comes: the status and headers as soon as they arrive, the body as a Readable that
// pauses the connection while its reader is full, the trailers once it has ended.
// The buffered twin, http-exchange.ts, stays the hot path of every sync invoke; this
// one carries streamed results. A signal abandons the exchange with its reason, at
// any point of it.
import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { ExchangeError } from "./http-exchange.js";

export interface StreamExchanged {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Destroyed with an ExchangeError if the answer breaks off. */
  body: Readable;
  /** The trailers, once the body has ended; rejects with an ExchangeError if it broke off first. */
  trailers: Promise<IncomingHttpHeaders>;
}

export function streamExchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal?: AbortSignal,
): Promise<StreamExchanged> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExchangeError(signal.reason as Error, false));
    let controller: Dispatcher.DispatchController | undefined;
    let body: Readable | undefined;
    let over = false;
    let endWith: { resolve: (t: IncomingHttpHeaders) => void; reject: (e: Error) => void } | undefined;
    const trailers = new Promise<IncomingHttpHeaders>((res, rej) => {
      endWith = { resolve: res, reject: rej };
    });
    // Read by whoever takes the stream; a failure nobody awaits is not an unhandled one.
    trailers.catch(() => undefined);
    const onAbort = () => controller?.abort(signal?.reason as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal?.removeEventListener("abort", onAbort);
    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        if (signal?.aborted) c.abort(signal.reason as Error);
      },
      onResponseStart(c, statusCode, headers) {
        body = new Readable({ read: () => c.resume() });
        // The reader went away: the rest of the answer is not wanted.
        body.on("close", () => {
          if (!over) c.abort(new Error("stream reader went away"));
        });
        resolve({ statusCode, headers, body, trailers });
      },
      onResponseData(c, chunk) {
        if (body && !body.push(chunk)) c.pause();
      },
      onResponseEnd(_c, answerTrailers) {
        over = true;
        settle();
        body?.push(null);
        endWith?.resolve(answerTrailers);
      },
      onResponseError(_c, err) {
        over = true;
        settle();
        const failure = new ExchangeError(err, body !== undefined);
        if (!body) return reject(failure);
        endWith?.reject(failure);
        body.destroy(failure);
      },
    });
  });
}
