import { EventEmitter } from "node:events";
import { StratusError } from "@stratus/shared";
import type { Pool, PoolClient } from "pg";
import { describe, expect, it } from "vitest";
import { answeredByPostgres, bounded, boundedDb, isDataError, jsonbText, pgText } from "./pg-helpers.js";

/** A pool whose statements fail with `error` (or answer), recording what it was sent. */
function fakePool(error?: Error) {
  const sent: { text: string; queryTimeout?: number }[] = [];
  const released: (Error | boolean | undefined)[] = [];
  const query = async (config: { text: string; query_timeout?: number }) => {
    sent.push({ text: config.text, queryTimeout: config.query_timeout });
    if (error) throw error;
    return { rows: [], rowCount: 0 };
  };
  const client = Object.assign(new EventEmitter(), {
    query,
    release: (err?: Error | boolean) => released.push(err),
  });
  const pool = { query, connect: async () => client as unknown as PoolClient } as unknown as Pool;
  return { pool, sent, released };
}

describe("bounded statements", () => {
  it("sends each statement with the bound as pg's query_timeout", async () => {
    const { pool, sent } = fakePool();
    await bounded(pool, 1_500).query("SELECT 1");
    expect(sent).toEqual([{ text: "SELECT 1", queryTimeout: 1_500 }]);
  });

  it.each([
    ["a statement past its bound", "Query read timeout"],
    ["the wait for a pooled connection", "timeout exceeded when trying to connect"],
    ["a new connection that never answered", "Connection terminated due to connection timeout"],
  ])("turns %s into a ServiceException saying the database did not answer", async (_what, message) => {
    const { pool } = fakePool(new Error(message));
    const err = await bounded(pool, 2_000)
      .query("SELECT 1")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StratusError);
    expect(err).toMatchObject({
      code: "ServiceException",
      status: 500,
      kind: "platform",
      message: "The database did not answer within 2000 ms",
    });
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it("lets other errors through as they are", async () => {
    const unique = Object.assign(new Error("duplicate key value"), { code: "23505" });
    const { pool } = fakePool(unique);
    await expect(bounded(pool, 2_000).query("INSERT")).rejects.toBe(unique);
  });
});

describe("bounded transactions and sessions", () => {
  it("bounds BEGIN, the work's statements and COMMIT, and pools the connection again", async () => {
    const { pool, sent, released } = fakePool();
    await boundedDb(pool, 700).transaction((c) => c.query("UPDATE x"));
    expect(sent).toEqual([
      { text: "BEGIN", queryTimeout: 700 },
      { text: "UPDATE x", queryTimeout: 700 },
      { text: "COMMIT", queryTimeout: 700 },
    ]);
    expect(released).toEqual([undefined]);
  });

  it("drops a session's connection after a failed statement, and pools it after success", async () => {
    const ok = fakePool();
    await boundedDb(ok.pool, 700).session((c) => c.query("SELECT pg_advisory_lock(1)"));
    expect(ok.sent).toEqual([{ text: "SELECT pg_advisory_lock(1)", queryTimeout: 700 }]);
    expect(ok.released).toEqual([undefined]);

    const hung = fakePool(new Error("Query read timeout"));
    await expect(boundedDb(hung.pool, 700).session((c) => c.query("SELECT 1"))).rejects.toThrow(/did not answer/);
    expect(hung.released).toHaveLength(1);
    expect(hung.released[0]).toBeInstanceOf(Error);
  });
});

describe("jsonbText", () => {
  it.each([
    ["U+0000 in a string", { errorMessage: "bad\u0000byte" }, '{"errorMessage":"bad\uFFFDbyte"}'],
    ["U+0000 in a key", { "a\u0000b": 1 }, '{"a\uFFFDb":1}'],
    ["a lone high surrogate", ["x\uD800"], '["x\uFFFD"]'],
    ["a lone low surrogate", ["\uDC00y"], '["\uFFFDy"]'],
    ["a surrogate pair, kept", ["\uD83D\uDE00"], '["\uD83D\uDE00"]'],
    ["nested values", { a: [{ b: "\u0000" }] }, '{"a":[{"b":"\uFFFD"}]}'],
    ["plain JSON, unchanged", { a: 1, b: [true, null, "s"] }, '{"a":1,"b":[true,null,"s"]}'],
  ])("replaces what jsonb cannot hold: %s", (_what, value, text) => {
    expect(jsonbText(value)).toBe(text);
  });
});

describe("pgText", () => {
  it("replaces every U+0000 (Postgres text cannot hold one) and leaves other text as it is", () => {
    expect(pgText("a\0b\0")).toBe("a\uFFFDb\uFFFD");
    const plain = "plain \u0001 text ☃";
    expect(pgText(plain)).toBe(plain);
  });
});

describe("errors Postgres answered", () => {
  const pgError = (code: unknown) => Object.assign(new Error("x"), { code });
  it.each([
    ["22P02", true, true],
    ["23505", true, true],
    ["57014", true, false],
    ["40P01", true, false],
    ["ECONNRESET", false, false],
    [undefined, false, false],
  ])("%s: answered %s, a data error %s", (code, answered, data) => {
    expect(answeredByPostgres(pgError(code))).toBe(answered);
    expect(isDataError(pgError(code))).toBe(data);
  });

  it("reads no code off what is not an Error", () => {
    expect(answeredByPostgres({ code: "23505" })).toBe(false);
    expect(isDataError({ code: "23505" })).toBe(false);
  });
});
