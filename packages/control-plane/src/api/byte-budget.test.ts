import { describe, expect, it } from "vitest";
import { createByteBudget } from "./byte-budget.js";

describe("createByteBudget", () => {
  it("lends up to its limit, refuses past it, and lends again what is given back", () => {
    const budget = createByteBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(40)).toBe(true);
    expect(budget.take(1)).toBe(false);
    expect(budget.held()).toBe(100);
    budget.give(60);
    expect(budget.take(50)).toBe(true);
    expect(budget.held()).toBe(90);
  });

  it("never counts below zero", () => {
    const budget = createByteBudget(10);
    budget.give(5);
    expect(budget.held()).toBe(0);
    expect(budget.take(11)).toBe(false);
  });
});
