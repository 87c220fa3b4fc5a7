import { describe, expect, it } from "vitest";
import type { AsyncInvocation } from "../store/async-store.js";
import { attemptTrace } from "./attempt-call.js";

const inv = (over: Partial<AsyncInvocation>): AsyncInvocation => ({
  id: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
  accountId: "123456789012",
  functionName: "f",
  payload: Buffer.alloc(0),
  status: "running",
  attempt: 1,
  invokeCount: 0,
  givenBack: 0,
  maxAttempts: 4,
  maxEventAgeSeconds: 60,
  acceptedAt: new Date(Date.UTC(2026, 0, 1)),
  ...over,
});

describe("attemptTrace", () => {
  it("joins the trace the event was accepted in, with a queue wait on its first attempt only", () => {
    const traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    const first = attemptTrace(inv({ traceHeader }));
    expect(first.incoming).toEqual({
      traceId: "5759e988bd862e3fe1be46a994272793",
      parentId: "53995c3f42cd8ad8",
      sampled: true,
    });
    expect(first.queuedSince).toBe(Date.UTC(2026, 0, 1));
    expect(attemptTrace(inv({ traceHeader, attempt: 2 })).queuedSince).toBeUndefined();
    expect(attemptTrace(inv({ traceHeader, givenBack: 1 })).queuedSince).toBeUndefined();
  });

  it("gives a tick accepted without a trace one root, the same on every attempt, sampled by the function's mode", () => {
    const a = attemptTrace(inv({}));
    const b = attemptTrace(inv({ attempt: 3 }));
    expect(a.incoming).toEqual({ traceId: `${(Date.UTC(2026, 0, 1) / 1000).toString(16)}0f1e2d3c4b5a49788695a4b3` });
    expect(b.incoming).toEqual(a.incoming);
  });
});
