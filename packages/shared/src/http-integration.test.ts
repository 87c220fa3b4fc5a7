import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parsePrelude, splitHttpIntegration } from "./http-integration.js";

const NULS = Buffer.alloc(8);

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("parsePrelude", () => {
  it.each([
    [
      "everything",
      '{"statusCode":201,"headers":{"a":"1","n":2},"cookies":["c=1"]}',
      { statusCode: 201, headers: { a: "1", n: "2" }, cookies: ["c=1"] },
    ],
    ["nothing", "{}", { statusCode: 200, headers: {}, cookies: [] }],
    ["an empty prelude", "", { statusCode: 200, headers: {}, cookies: [] }],
  ])("reads %s", (_name, json, expected) => {
    expect(parsePrelude(json)).toEqual(expected);
  });

  it.each([
    ["not JSON", "{"],
    ["not an object", "[1]"],
    ["a status that is no HTTP status", '{"statusCode":42}'],
    ["a status that is a string", '{"statusCode":"200"}'],
    ["headers that are a list", '{"headers":[]}'],
    ["cookies that are not strings", '{"cookies":[1]}'],
  ])("refuses %s", (_name, json) => {
    expect(() => parsePrelude(json)).toThrow(expect.objectContaining({ code: "Runtime.InvalidPrelude" }));
  });
});

describe("splitHttpIntegration", () => {
  it.each([
    ["in one chunk", [Buffer.concat([Buffer.from('{"statusCode":404}'), NULS, Buffer.from("body")])]],
    [
      "with the delimiter split across chunks",
      [
        Buffer.from('{"statusCode":404}'),
        Buffer.alloc(3),
        Buffer.concat([Buffer.alloc(5), Buffer.from("bo")]),
        Buffer.from("dy"),
      ],
    ],
  ])("splits the prelude from the body %s", async (_name, chunks) => {
    const { prelude, body } = await splitHttpIntegration(Readable.from(chunks));
    expect(prelude.statusCode).toBe(404);
    expect(await text(body)).toBe("body");
  });

  it("hands the prelude over before the body has ended", async () => {
    const source = new PassThrough();
    source.write(Buffer.concat([Buffer.from("{}"), NULS, Buffer.from("first")]));
    const { prelude, body } = await splitHttpIntegration(source);
    expect(prelude.statusCode).toBe(200);
    const first = await new Promise<string>((resolve) => body.once("data", (c: Buffer) => resolve(c.toString())));
    expect(first).toBe("first");
    source.end("last");
    expect(await text(body)).toBe("last");
  });

  it("refuses a body that ends before the delimiter, and a prelude too long", async () => {
    await expect(splitHttpIntegration(Readable.from([Buffer.from("{}")]))).rejects.toMatchObject({
      code: "Runtime.InvalidPrelude",
    });
    await expect(splitHttpIntegration(Readable.from([Buffer.alloc(70 * 1024, 0x20)]))).rejects.toMatchObject({
      code: "Runtime.InvalidPrelude",
    });
  });
});
