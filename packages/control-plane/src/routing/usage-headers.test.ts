// The run's usage as the control plane reads it off an invoker's answer: a header of a
// buffered answer, a trailer of a streamed one; absent (an older invoker) or malformed,
// the answer stands without it.
import { formatRunUsage, internalInvoke, type RunUsage, streamTrailers } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { bufferedOutcome, streamEndOf } from "./stream-invoke.js";

const used: RunUsage = { outcome: "oom", durationMs: 55.5, initMs: 0, billedMs: 56, memoryMb: 128, cold: false };

describe("usage on the internal invoke protocol", () => {
  it("is read from a buffered answer's header", () => {
    const out = bufferedOutcome({ [internalInvoke.usageHeader]: formatRunUsage(used) }, Buffer.from("{}"));
    expect(out.usage).toEqual(used);
  });

  it("is read from a streamed answer's trailers", () => {
    expect(streamEndOf({ [streamTrailers.usage]: formatRunUsage(used) }).usage).toEqual(used);
  });

  it.each([
    ["absent", {}],
    ["malformed", { [internalInvoke.usageHeader]: "o=oom;d=x" }],
  ])("is left out when %s", (_label, headers) => {
    expect(bufferedOutcome(headers, Buffer.from("{}"))).toEqual({ payload: Buffer.from("{}") });
    expect(streamEndOf(headers).usage).toBeUndefined();
  });
});
