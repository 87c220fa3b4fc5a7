import { describe, expect, it } from "vitest";
import { readBatchResponse } from "./batch-response.js";

const ids = new Set(["m1", "m2", "m3"]);
const read = (text: string) => readBatchResponse(Buffer.from(text), ids);

describe("partial batch responses", () => {
  it.each([
    ["an empty response", ""],
    ["null", "null"],
    ["an empty object", "{}"],
    ["a null list", '{"batchItemFailures":null}'],
    ["an empty list", '{"batchItemFailures":[]}'],
    ["other fields only", '{"statusCode":200}'],
  ])("%s is a complete success", (_what, text) => {
    expect(read(text)).toEqual({ kind: "all-ok" });
  });

  it("names the failed records", () => {
    expect(read('{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}')).toEqual({
      kind: "some-failed",
      failed: new Set(["m2", "m3"]),
    });
  });

  it.each([
    ["not JSON", "{nope"],
    ["a string", '"m1"'],
    ["an array", '["m1"]'],
    ["a list that is not one", '{"batchItemFailures":"m1"}'],
    ["a null identifier", '{"batchItemFailures":[{"itemIdentifier":null}]}'],
    ["an empty identifier", '{"batchItemFailures":[{"itemIdentifier":""}]}'],
    ["a misnamed key", '{"batchItemFailures":[{"itemIdentifer":"m1"}]}'],
    ["an unknown identifier", '{"batchItemFailures":[{"itemIdentifier":"m9"}]}'],
    ["a number", '{"batchItemFailures":[{"itemIdentifier":1}]}'],
    ["a bare string item", '{"batchItemFailures":["m1"]}'],
  ])("%s fails the whole batch", (_what, text) => {
    expect(read(text)).toEqual({ kind: "all-failed" });
  });
});
