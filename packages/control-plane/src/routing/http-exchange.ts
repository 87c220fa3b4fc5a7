// One HTTP exchange over an undici dispatcher, its whole answer collected in memory.
// It drives undici's dispatch API directly: the request API builds a response stream
// and wires its own abort plumbing for every call, which costs about 40 µs of a
// keep-alive round trip here, and this is the hot path of every sync invoke (the
// control plane's call to an invoker node). A signal, which many exchanges may
// share, abandons the exchange with the signal's reason.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";

export interface Exchanged {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why an exchange failed, and whether the answer had begun (its headers had come) by then. */
export class ExchangeError extends Error {
  constructor(
    override readonly cause: Error,
    readonly answerBegun: boolean,
  ) {
    super(cause.message);
    this.name = "ExchangeError";
  }

  /** The failure's code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT...), if it has one. */
  get code(): string | undefined {
    return (this.cause as { code?: string }).code;
  }
}

export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal?: AbortSignal,
): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExchangeError(signal.reason as Error, false));
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    let headers: IncomingHttpHeaders = {};
    let begun = false;
    const chunks: Buffer[] = [];
    const onAbort = () => controller?.abort(signal?.reason as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal?.removeEventListener("abort", onAbort);
    dispatcher.dispatch(options, {
      onRequestStart(c) {
        controller = c;
        // Aborted while undici had not handed over its controller (the request still queued).
        if (signal?.aborted) c.abort(signal.reason as Error);
      },
      onResponseStart(_c, status, answerHeaders) {
        begun = true;
        statusCode = status;
        headers = answerHeaders;
      },
      onResponseData(_c, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle();
        resolve({ statusCode, headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      },
      onResponseError(_c, err) {
        settle();
        reject(new ExchangeError(err, begun));
      },
    });
  });
}
