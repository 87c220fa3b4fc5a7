// The event to invoke with: JSON given inline, or `@file` to read it from a file.
// Checked here so that a malformed event is named before anything is sent.
import { readFile } from "node:fs/promises";
import { CliError } from "./errors.js";

/** The payload's bytes, or undefined when none was given (the function then gets {}). */
export async function readPayload(arg: string | undefined): Promise<Uint8Array | undefined> {
  if (arg === undefined) return undefined;
  const fromFile = arg.startsWith("@");
  const text = fromFile
    ? await readFile(arg.slice(1), "utf8").catch((err: NodeJS.ErrnoException) => {
        throw new CliError("InvalidPayload", `cannot read ${arg.slice(1)}: ${err.code ?? err.message}`);
      })
    : arg;
  try {
    JSON.parse(text);
  } catch (err) {
    const where = fromFile ? arg.slice(1) : "--payload";
    throw new CliError("InvalidPayload", `${where} is not JSON: ${(err as Error).message}`);
  }
  return Buffer.from(text);
}

/** A response payload as data: parsed JSON, or the text itself when it is not JSON. */
export function decodeResult(payload: Uint8Array | undefined): unknown {
  const text = Buffer.from(payload ?? []).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
