import { describe, expect, it } from "vitest";
import { censorSecrets, REDACTED, REDACTED_FIELDS } from "./log-options.js";

describe("censorSecrets", () => {
  it("censors every named field at the top, one level down, and in a headers object one level down", () => {
    for (const name of REDACTED_FIELDS) {
      expect(censorSecrets({ [name]: "s", other: 1 })).toEqual({ [name]: REDACTED, other: 1 });
      expect(censorSecrets({ req: { [name]: "s", id: "r" } })).toEqual({ req: { [name]: REDACTED, id: "r" } });
      expect(censorSecrets({ req: { headers: { [name]: "s", host: "h" } } })).toEqual({
        req: { headers: { [name]: REDACTED, host: "h" } },
      });
    }
  });

  it("censors a named field whatever its value, and leaves deeper or unnamed fields alone", () => {
    const out = censorSecrets({
      environment: { Variables: { A: "1" } },
      a: { b: { token: "deep" } },
      c: [{ token: "in an array" }],
      n: null,
      d: new Date(0),
    });
    expect(out).toEqual({
      environment: REDACTED,
      a: { b: { token: "deep" } },
      c: [{ token: "in an array" }],
      n: null,
      d: new Date(0),
    });
  });

  it("censors the fields of an array's items one level down", () => {
    expect(censorSecrets({ list: ["a", "b"], secrets: { 0: "x" } })).toEqual({ list: ["a", "b"], secrets: { 0: "x" } });
    const out = censorSecrets({ items: Object.assign(["a"], { token: "t" }) }) as { items: string[] };
    expect(Array.isArray(out.items)).toBe(true);
    expect(out.items).toHaveLength(1);
    expect((out.items as unknown as { token: string }).token).toBe(REDACTED);
  });

  it("leaves the caller's objects as they were, and returns them when nothing needs censoring", () => {
    const inner = { body: "b", id: 1 };
    const fields = { authorization: "a", inner };
    const out = censorSecrets(fields);
    expect(fields).toEqual({ authorization: "a", inner: { body: "b", id: 1 } });
    expect(out.inner).not.toBe(inner);
    const clean = { requestId: "r", status: 200, nested: { a: 1 } };
    expect(censorSecrets(clean)).toBe(clean);
    expect(censorSecrets(clean).nested).toBe(clean.nested);
  });

  it("keeps an Error an Error (its message, stack and type) with a named field censored", () => {
    const err = Object.assign(new TypeError("it broke"), { body: "secret body", code: "E1" });
    const out = censorSecrets({ err }) as { err: TypeError & { body: string; code: string } };
    expect(out.err).toBeInstanceOf(TypeError);
    expect(out.err.message).toBe("it broke");
    expect(out.err.stack).toBe(err.stack);
    expect(out.err.body).toBe(REDACTED);
    expect(out.err.code).toBe("E1");
    expect(err.body).toBe("secret body");
  });

  it("does not descend into a Buffer", () => {
    const buf = Buffer.from("payload");
    expect(censorSecrets({ data: buf }).data).toBe(buf);
  });
});
