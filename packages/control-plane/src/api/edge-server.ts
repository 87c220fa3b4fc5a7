// The control plane's HTTP server, built on Node's own limits: a request's headers
// must arrive within headersTimeout and its whole body within requestTimeout (counted
// from its first byte; a response may then take as long as the call does), headers
// are capped at 16 KB, and what the parser refuses (a malformed request, a deadline
// passed) is answered in Lambda's restJson1 shape on a closed connection.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import { errorBody, headers, StratusError } from "@stratus/shared";

export interface EdgeLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export const MAX_HEADER_BYTES = 16 * 1024;
/** How often Node looks for requests past their deadlines: a stalled client is cut within this of its deadline. */
const CHECK_INTERVAL_MS = 500;

export function createEdgeServer(limits: EdgeLimits, handler: http.RequestListener): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: MAX_HEADER_BYTES,
      connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
    handler,
  );
  server.keepAliveTimeout = 65_000;
  server.on("clientError", answerClientError);
  return server;
}

/** The Lambda-style error for what Node's parser refused (codes from llhttp and http). */
export function clientErrorFor(code: string | undefined): StratusError {
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return new StratusError("RequestTimeoutException", 408, "client", "The request was not received in time");
  if (code === "HPE_HEADER_OVERFLOW")
    return new StratusError(
      "RequestHeaderFieldsTooLargeException",
      431,
      "client",
      `Request headers must be smaller than ${MAX_HEADER_BYTES} bytes`,
    );
  return new StratusError("InvalidRequestContentException", 400, "client", "The request is not valid HTTP");
}

/** Answers once if nothing was written on the connection yet, then closes it; a reset connection is just closed. */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code !== "ECONNRESET" && socket.writable && (socket as { bytesWritten?: number }).bytesWritten === 0) {
    const e = clientErrorFor(err.code);
    const body = JSON.stringify(errorBody(e));
    socket.write(
      `HTTP/1.1 ${e.status} ${http.STATUS_CODES[e.status]}\r\n` +
        `${headers.errorType}: ${e.code}\r\n${headers.requestId}: ${randomUUID()}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
