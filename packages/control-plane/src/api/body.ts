// Request body helpers: every route receives the raw bytes (SigV4 needs them) and
// parses JSON here, so malformed or hostile JSON (or text that is not UTF-8) is one
// error in one place.
import { isUtf8 } from "node:buffer";
import { errors } from "@stratus/shared";
import type { Request } from "express";

export const MAX_JSON_DEPTH = 64;

export function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Nesting depth of a JSON text, found without recursion (a deep text cannot blow the stack). */
export function jsonDepth(buf: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Parses `buf` as JSON of bounded depth in UTF-8 (Lambda refuses other payloads). */
function parseJson(buf: Buffer): unknown {
  // Decoding would replace invalid sequences with U+FFFD and parse: the caller's bytes are not what runs.
  if (!isUtf8(buf)) throw errors.invalidRequestContent("Could not parse request body into json: invalid UTF-8");
  if (jsonDepth(buf) > MAX_JSON_DEPTH) {
    throw errors.invalidRequestContent(
      `Could not parse request body into json: nesting depth exceeds ${MAX_JSON_DEPTH}`,
    );
  }
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw errors.invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
  }
}

/** Checks that `buf` is JSON of bounded depth (Lambda refuses other payloads). */
export function checkJson(buf: Buffer): void {
  if (buf.length > 0) parseJson(buf);
}

/** The request's JSON body ({} when empty), parsed once: a 50 MB CreateFunction is not parsed twice. */
export function jsonBody(req: Request): unknown {
  const buf = rawBody(req);
  return buf.length === 0 ? {} : parseJson(buf);
}
