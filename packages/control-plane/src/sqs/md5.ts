// The digests SQS answers a send and a receive with, computed as SQS computes them,
// since the SDKs check them: the MD5 of the body's UTF-8 bytes, and the MD5 of the
// message attributes encoded in name order as length-prefixed name, data type, a
// transport byte (1 for String and Number, 2 for Binary) and length-prefixed value.
import { createHash } from "node:crypto";
import type { MessageAttribute, MessageAttributes } from "../store/sqs-messages.js";

export const md5OfBody = (body: string) => createHash("md5").update(body, "utf8").digest("hex");

function prefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** Undefined when there are no attributes (SQS then sends no digest). */
export function md5OfAttributes(attrs: MessageAttributes): string | undefined {
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const a = attrs[name] as MessageAttribute;
    hash.update(prefixed(Buffer.from(name, "utf8")));
    hash.update(prefixed(Buffer.from(a.DataType, "utf8")));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(prefixed(Buffer.from(a.BinaryValue, "base64")));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(prefixed(Buffer.from(a.StringValue ?? "", "utf8")));
    }
  }
  return hash.digest("hex");
}
