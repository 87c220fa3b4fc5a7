import { describe, expect, it } from "vitest";
import {
  type Delivery,
  Session,
  type SessionEvent,
  type SessionSignal,
  type SessionState,
  transition,
} from "./session.js";

const delivery = (requestId = "r1"): Delivery => ({ requestId, payload: Buffer.from("{}"), headers: () => ({}) });

describe("transition", () => {
  const legal: [SessionState, SessionEvent, SessionState][] = [
    ["init", "next", "idle"],
    ["init", "invoke", "queued"],
    ["idle", "invoke", "busy"],
    ["queued", "next", "busy"],
    ["busy", "result", "awaiting-next"],
    ["awaiting-next", "next", "idle"],
    ["awaiting-next", "invoke", "queued"],
    ["busy", "die", "dead"],
    ["busy", "stream", "streaming"],
    ["streaming", "result", "awaiting-next"],
    ["streaming", "die", "dead"],
  ];
  it.each(legal)("%s --%s--> %s", (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  const illegal: [SessionState, SessionEvent][] = [
    ["idle", "next"],
    ["busy", "next"],
    ["busy", "invoke"],
    ["queued", "invoke"],
    ["init", "result"],
    ["idle", "result"],
    ["dead", "next"],
    ["dead", "invoke"],
    ["streaming", "next"],
    ["streaming", "invoke"],
    ["streaming", "stream"],
    ["idle", "stream"],
    ["awaiting-next", "stream"],
  ];
  it.each(illegal)("refuses %s --%s-->", (from, event) => {
    expect(() => transition(from, event)).toThrow(/not allowed/);
  });
});

describe("Session", () => {
  it("delivers a queued cold-start event on the first /next", async () => {
    const s = new Session();
    const outcome = s.invoke(delivery());
    let got: Delivery | undefined;
    s.next((d) => {
      got = d;
    });
    expect(got?.requestId).toBe("r1");
    s.complete("r1", { payload: Buffer.from('"ok"') });
    expect((await outcome).payload.toString()).toBe('"ok"');
    expect(s.state).toBe("awaiting-next");
  });

  it("parked() resolves once the runtime is back on /next after answering, or the session ends", async () => {
    const s = new Session();
    const first = s.parked();
    let firstDone = false;
    void first.then(() => {
      firstDone = true;
    });
    s.next(() => undefined);
    await first;
    expect(firstDone).toBe(true);
    const outcome = s.invoke(delivery());
    let back = false;
    const afterAnswer = s.parked().then(() => {
      back = true;
    });
    s.complete("r1", { payload: Buffer.from('"ok"') });
    await outcome;
    await Promise.resolve();
    expect(back).toBe(false);
    s.next(() => undefined);
    await afterAnswer;
    expect(back).toBe(true);
    s.invoke(delivery());
    const ended = s.parked();
    s.close({ errorType: "Sandbox.Timedout", errorMessage: "timed out" });
    await ended;
  });

  it("delivers to a parked /next at once", async () => {
    const s = new Session();
    let got: Delivery | undefined;
    s.next((d) => {
      got = d;
    });
    const outcome = s.invoke(delivery("r2"));
    expect(got?.requestId).toBe("r2");
    s.complete("r2", { payload: Buffer.from("1") });
    await outcome;
  });

  it("refuses a result for another request id", () => {
    const s = new Session();
    s.next(() => undefined);
    void s.invoke(delivery("r3"));
    expect(() => s.complete("other", { payload: Buffer.alloc(0) })).toThrow(/No invocation/);
  });

  it("runs a request id again after its earlier run, refusing a repeated result of that run meanwhile", async () => {
    // An async invocation retries under its one request id, possibly in the same container.
    const s = new Session();
    s.next(() => undefined);
    const first = s.invoke(delivery("r4"));
    s.complete("r4", { payload: Buffer.from("1") });
    expect((await first).payload.toString()).toBe("1");
    expect(() => s.complete("r4", { payload: Buffer.from("late") })).toThrow(/No invocation/);
    s.next(() => undefined);
    const second = s.invoke(delivery("r4"));
    s.complete("r4", { payload: Buffer.from("2") });
    expect((await second).payload.toString()).toBe("2");
  });

  it("fails the in-flight invocation when the container dies", async () => {
    const s = new Session();
    s.next(() => undefined);
    const outcome = s.invoke(delivery());
    s.die({ errorType: "Runtime.ExitError", errorMessage: "Runtime exited with error: exit status 3" });
    const o = await outcome;
    expect(o.functionError).toBe("Unhandled");
    expect(JSON.parse(o.payload.toString()).errorType).toBe("Runtime.ExitError");
    expect(s.state).toBe("dead");
  });

  it("signals the runtime's answer and its own failure, once, but not an end the platform made", async () => {
    const signals: SessionSignal[] = [];
    const answered = new Session((s) => signals.push(s));
    answered.next(() => undefined);
    const outcome = answered.invoke(delivery());
    answered.complete("r1", { payload: Buffer.from("1") });
    await outcome;
    const failure = { errorType: "Runtime.InitError", errorMessage: "no handler" };
    const failed = new Session((s) => signals.push(s));
    failed.die(failure);
    failed.die(failure);
    const closed = new Session((s) => signals.push(s));
    closed.next(() => undefined);
    const cut = closed.invoke(delivery());
    closed.close({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 1.00 seconds" });
    expect(JSON.parse((await cut).payload.toString()).errorType).toBe("Sandbox.Timedout");
    expect(closed.state).toBe("dead");
    expect(signals).toEqual([{ type: "answered" }, { type: "failed", failure }]);
  });
});
