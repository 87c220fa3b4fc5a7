import type { Request } from "express";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkJson, jsonBody, MAX_JSON_DEPTH } from "./body.js";

const request = (text: string) => ({ body: Buffer.from(text) }) as unknown as Request;
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("jsonBody", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["", {}],
    ["null", null],
    ['{"a":[1,{"b":"}"}]}', { a: [1, { b: "}" }] }],
    [nested(MAX_JSON_DEPTH), JSON.parse(nested(MAX_JSON_DEPTH))],
  ])("parses %j", (text, expected) => {
    expect(jsonBody(request(text))).toEqual(expected);
  });

  it.each([
    ["{", "Could not parse request body into json"],
    ["[1,]", "Could not parse request body into json"],
    [nested(MAX_JSON_DEPTH + 1), `nesting depth exceeds ${MAX_JSON_DEPTH}`],
  ])("refuses %j as InvalidRequestContentException", (text, message) => {
    expect(() => jsonBody(request(text))).toThrow(
      expect.objectContaining({ code: "InvalidRequestContentException", message: expect.stringContaining(message) }),
    );
    expect(() => checkJson(Buffer.from(text))).toThrow(
      expect.objectContaining({ code: "InvalidRequestContentException" }),
    );
  });

  it.each<[string, number[]]>([
    ["a lone continuation byte", [0x22, 0x80, 0x22]],
    ["a truncated sequence", [0x22, 0xe0, 0xa4, 0x22]],
    ["an overlong encoding", [0x22, 0xc0, 0xaf, 0x22]],
    ["an encoded surrogate", [0x22, 0xed, 0xa0, 0x80, 0x22]],
  ])("refuses a JSON string holding %s (not UTF-8)", (_what, bytes) => {
    const buf = Buffer.from(bytes);
    expect(() => checkJson(buf)).toThrow(
      expect.objectContaining({ code: "InvalidRequestContentException", message: expect.stringContaining("UTF-8") }),
    );
    expect(() => jsonBody({ body: buf } as unknown as Request)).toThrow(
      expect.objectContaining({ code: "InvalidRequestContentException" }),
    );
  });

  it("parses UTF-8 beyond ASCII", () => {
    expect(jsonBody(request('{"k":"é€😀"}'))).toEqual({ k: "é€😀" });
  });

  it("parses a body once (a CreateFunction body can be tens of megabytes)", () => {
    const parse = vi.spyOn(JSON, "parse");
    jsonBody(request('{"Code":{"ZipFile":"UEsDBA=="}}'));
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it("takes an empty body as JSON when only checking", () => {
    expect(() => checkJson(Buffer.alloc(0))).not.toThrow();
  });
});
