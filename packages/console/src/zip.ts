// A function's code as the editor holds it: text files by path, from and to a zip
// (fflate: small, synchronous, no workers needed for a few files). A zip with files
// that are not text, or too many or too large to edit here, is reported, not mangled.
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";

export const MAX_EDITABLE_FILES = 50;
export const MAX_EDITABLE_BYTES = 1024 * 1024;

export type CodeFiles = Record<string, string>;

export type Unzipped = { ok: true; files: CodeFiles } | { ok: false; reason: string };

function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

export function unzipCode(zip: Uint8Array): Unzipped {
  const entries = unzipSync(zip);
  const names = Object.keys(entries).filter((n) => !n.endsWith("/"));
  if (names.length > MAX_EDITABLE_FILES) {
    return { ok: false, reason: `The package has ${names.length} files; the editor takes up to ${MAX_EDITABLE_FILES}` };
  }
  let total = 0;
  const files: CodeFiles = {};
  for (const name of names.sort()) {
    const bytes = entries[name] as Uint8Array;
    total += bytes.length;
    if (total > MAX_EDITABLE_BYTES) return { ok: false, reason: "The package is too large to edit in the browser" };
    if (looksBinary(bytes)) return { ok: false, reason: `${name} is not a text file` };
    files[name] = strFromU8(bytes);
  }
  return { ok: true, files };
}

export function zipCode(files: CodeFiles): Uint8Array {
  const entries: Record<string, [Uint8Array, { os: number; attrs: number }]> = {};
  // Unix mode 0644 (made on Unix, os 3): readable by the runtime's non-root user, as `zip` stores them.
  for (const [name, text] of Object.entries(files))
    entries[name] = [strToU8(text), { os: 3, attrs: 0o100644 * 0x10000 }];
  return zipSync(entries, { level: 6 });
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
