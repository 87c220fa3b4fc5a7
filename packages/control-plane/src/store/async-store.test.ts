import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { FINISH, START, TAKE_OVER } from "./async-edges.js";
import { edgesOf, FINISH_EVENTS, STATUSES } from "./async-state.js";

// Every status the store writes or matches comes from async-state.ts, passed to
// Postgres as a parameter; a status spelt out in a statement would bypass the machine.
describe.each(["async-store.ts", "async-attempts.ts", "async-edges.ts"])(
  "the async store's statements in %s",
  (file) => {
    it.each(STATUSES)("never name the status %s", async (status) => {
      const source = await readFile(new URL(`./${file}`, import.meta.url), "utf8");
      expect(source).not.toMatch(new RegExp(`['"\`]${status}['"\`]`));
    });
  },
);

// The hot statements take their edges as plain parameters (async-edges.ts): they must
// be exactly the machine's.
describe("the parameters of an attempt's start and end", () => {
  it.each(FINISH_EVENTS)("let %s move an invocation only along its one edge", (event) => {
    expect(edgesOf([event])).toEqual([{ event, from: FINISH[event].from, to: FINISH[event].to }]);
  });

  it("let an attempt start from start's sources, or be taken over from take_over's, into one status", () => {
    expect(edgesOf(["start"])).toEqual(START.from.map((from) => ({ event: "start", from, to: START.to })));
    expect(edgesOf([TAKE_OVER])).toEqual([{ event: TAKE_OVER, from: START.takeOverFrom, to: START.to }]);
  });
});
