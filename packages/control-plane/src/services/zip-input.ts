// A zip uploaded in a JSON body (a function's Code.ZipFile, a layer's
// Content.ZipFile): base64 decoded within the 50 MB limit and read by the one
// zip reader and rules of packages/shared, refusals naming the field.
import { errors, limits, readZip, type ZipEntryInfo, ZipError } from "@stratus/shared";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeZip(encoded: string, field = "Code.ZipFile"): Buffer {
  // Base64 of a 50 MB zip is about 67 MB of text; refuse before decoding.
  if (encoded.length > Math.ceil(limits.zippedCodeBytes / 3) * 4 + 4) {
    throw errors.tooLarge(`${field} exceeds the ${limits.zippedCodeBytes} byte limit`);
  }
  const compact = encoded.replace(/\s+/g, "");
  if (!BASE64.test(compact)) throw errors.invalidParameter(`${field} must be base64`);
  const zip = Buffer.from(compact, "base64");
  if (zip.length > limits.zippedCodeBytes) {
    throw errors.tooLarge(`${field} exceeds the ${limits.zippedCodeBytes} byte limit`);
  }
  return zip;
}

export async function zipEntries(zip: Buffer, field = "Code.ZipFile"): Promise<ZipEntryInfo[]> {
  try {
    return await readZip(zip, {
      maxEntries: limits.zipEntries,
      maxUnzippedBytes: limits.unzippedCodeBytes,
      maxDepth: limits.zipPathDepth,
    });
  } catch (err) {
    if (err instanceof ZipError) throw errors.invalidParameter(`${field}: ${err.message}`);
    throw err;
  }
}

/** Bytes of the files in a zip's entries, unzipped. */
export const unzippedSize = (entries: readonly ZipEntryInfo[]) => entries.reduce((n, e) => n + e.size, 0);
