import { describe, expect, it } from "vitest";
import { streamFailure } from "./stream-trailers.js";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
const parsed = (b: Buffer | undefined) => (b ? JSON.parse(b.toString("utf8")) : undefined);

describe("streamFailure", () => {
  it.each([
    ["no trailers", {}, undefined],
    ["empty trailers", { "lambda-runtime-function-error-type": "" }, undefined],
    [
      "type and JSON body",
      {
        "lambda-runtime-function-error-type": "Error",
        "lambda-runtime-function-error-body": b64({ errorType: "Error", errorMessage: "boom", trace: [] }),
      },
      { errorType: "Error", errorMessage: "boom", trace: [] },
    ],
    [
      "body without errorType takes the type trailer's",
      {
        "lambda-runtime-function-error-type": "TypeError",
        "lambda-runtime-function-error-body": b64({ errorMessage: "x" }),
      },
      { errorType: "TypeError", errorMessage: "x" },
    ],
    [
      "type alone",
      { "lambda-runtime-function-error-type": "Sandbox.Crash" },
      { errorType: "Sandbox.Crash", errorMessage: "" },
    ],
    [
      "body that is not JSON is the message",
      { "lambda-runtime-function-error-body": b64("plain words") },
      { errorType: "Runtime.Unknown", errorMessage: "plain words" },
    ],
  ])("%s", (_name, trailers, expected) => {
    expect(parsed(streamFailure(trailers as NodeJS.Dict<string>))).toEqual(expected);
  });
});
