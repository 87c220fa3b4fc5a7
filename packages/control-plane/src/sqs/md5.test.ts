import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { md5OfAttributes, md5OfBody } from "./md5.js";

/** The attribute encoding spelled out byte by byte, as SQS documents it. */
function expected(parts: Array<[string, string, number, Buffer]>): string {
  const len = (b: Buffer) => Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]);
  const bytes = parts.flatMap(([name, type, transport, value]) => {
    const n = Buffer.from(name);
    const t = Buffer.from(type);
    return [len(n), n, len(t), t, Buffer.from([transport]), len(value), value];
  });
  return createHash("md5").update(Buffer.concat(bytes)).digest("hex");
}

describe("md5OfBody", () => {
  it.each([
    ["hello", "5d41402abc4b2a76b9719d911017c592"],
    ["", "d41d8cd98f00b204e9800998ecf8427e"],
  ])("%j", (body, md5) => expect(md5OfBody(body)).toBe(md5));
  it("hashes the UTF-8 bytes", () => {
    expect(md5OfBody("é")).toBe(
      createHash("md5")
        .update(Buffer.from([0xc3, 0xa9]))
        .digest("hex"),
    );
  });
});

describe("md5OfAttributes", () => {
  it("is undefined without attributes", () => expect(md5OfAttributes({})).toBeUndefined());
  it("encodes names in order, with transport 1 for strings and numbers and 2 for binary", () => {
    const got = md5OfAttributes({
      z: { DataType: "String", StringValue: "last" },
      a: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2]).toString("base64") },
      m: { DataType: "Number.int", StringValue: "42" },
    });
    expect(got).toBe(
      expected([
        ["a", "Binary", 2, Buffer.from([0, 1, 2])],
        ["m", "Number.int", 1, Buffer.from("42")],
        ["z", "String", 1, Buffer.from("last")],
      ]),
    );
  });
});
