import { errors } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JobOverdueError } from "./job-deadline.js";
import { unrecoverable } from "./job-failure.js";

const pg = (code: string, message = "pg") => Object.assign(new Error(message), { code });
const zodError = () => {
  const parsed = z.object({ n: z.number() }).safeParse({ n: "x" });
  return parsed.success ? undefined : parsed.error;
};

describe("unrecoverable", () => {
  it.each([
    ["a value Postgres cannot hold (22P05)", pg("22P05"), true],
    ["a value out of range (22003)", pg("22003"), true],
    ["a constraint violated (23505)", pg("23505"), true],
    ["our code failing on the data (TypeError)", new TypeError("x is undefined"), true],
    ["a value out of range in our code (RangeError)", new RangeError("Invalid array length"), true],
    ["data that does not parse (SyntaxError)", new SyntaxError("Unexpected token"), true],
    ["data that does not validate (ZodError)", zodError(), true],
    ["a lost connection", new Error("Connection terminated unexpectedly"), false],
    ["a connection failure (08006)", pg("08006"), false],
    ["a deadlock (40P01)", pg("40P01"), false],
    ["a server shutting down (57P01)", pg("57P01"), false],
    ["a statement cancelled (57014)", pg("57014"), false],
    ["an undefined table (42P01), as while a deploy migrates", pg("42P01"), false],
    ["a database that did not answer", errors.service("The database did not answer within 1000 ms"), false],
    ["a job past its deadline", new JobOverdueError(1000), false],
    ["a Redis command that timed out", new Error("Command timed out"), false],
    ["something thrown that is not an Error", "boom", false],
  ])("%s: %s", (_what, err, expected) => {
    expect(unrecoverable(err)).toBe(expected);
  });
});
