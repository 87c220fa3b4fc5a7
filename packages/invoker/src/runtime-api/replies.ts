// The Runtime API's JSON answers: what each endpoint sends on success, and the writer
// its error renderer (errors.ts) sends through.
import type { ServerResponse } from "node:http";

/** Made once: a runtime is told this after every result it posts. */
const ACCEPTED = JSON.stringify({ status: "OK" });

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** 202: the runtime's post was taken. */
export function accepted(res: ServerResponse): void {
  sendText(res, 202, ACCEPTED);
}
