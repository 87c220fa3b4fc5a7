import { describe, expect, it, vi } from "vitest";
import { StemGate } from "./stem-gate.js";

const identity = { handler: "index.handler", env: { A: "1" } };

describe("StemGate", () => {
  it("answers a parked poll with the identity, once given", async () => {
    const gate = new StemGate();
    const polled = gate.wait(10_000);
    expect(gate.polled).toBe(true);
    gate.give(identity);
    await expect(polled).resolves.toEqual(identity);
    expect(gate.state).toBe("given");
    expect(gate.polled).toBe(false);
  });

  it("answers a poll that arrives after the identity was given", async () => {
    const gate = new StemGate();
    gate.give(identity);
    await expect(gate.wait(10_000)).resolves.toEqual(identity);
  });

  it("answers nothing when the poll runs out, and stays waiting", async () => {
    vi.useFakeTimers();
    try {
      const gate = new StemGate();
      const polled = gate.wait(1000);
      vi.advanceTimersByTime(1000);
      await expect(polled).resolves.toBeUndefined();
      expect(gate.state).toBe("waiting");
      expect(gate.polled).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers nothing once closed, and never gives an identity after", async () => {
    const gate = new StemGate();
    const polled = gate.wait(10_000);
    gate.close();
    await expect(polled).resolves.toBeUndefined();
    expect(gate.state).toBe("closed");
    expect(() => gate.give(identity)).toThrow();
    await expect(gate.wait(10_000)).resolves.toBeUndefined();
  });

  it("refuses a second identity", () => {
    const gate = new StemGate();
    gate.give(identity);
    expect(() => gate.give({ handler: "other.handler", env: {} })).toThrow();
  });
});
