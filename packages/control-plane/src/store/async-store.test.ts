import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { STATUSES } from "../async/async-state.js";

// Every status the store writes or matches comes from async-state.ts, passed to
// Postgres as a parameter; a status spelt out in a statement would bypass the machine.
describe.each(["async-store.ts", "async-edges.ts"])("the async store's statements in %s", (file) => {
  it.each(STATUSES)("never name the status %s", async (status) => {
    const source = await readFile(new URL(`./${file}`, import.meta.url), "utf8");
    expect(source).not.toMatch(new RegExp(`['"\`]${status}['"\`]`));
  });
});
