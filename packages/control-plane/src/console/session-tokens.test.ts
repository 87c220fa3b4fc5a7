import { describe, expect, it } from "vitest";
import {
  clearedCookies,
  csrfFor,
  csrfMatches,
  newSessionToken,
  parseCookies,
  sessionCookies,
  tokenHash,
} from "./session-tokens.js";

describe("session tokens", () => {
  it("makes unguessable tokens, stored only as their hash", () => {
    const a = newSessionToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(newSessionToken());
    expect(tokenHash(a)).toHaveLength(32);
    expect(tokenHash(a).equals(tokenHash(a))).toBe(true);
  });

  it("binds the CSRF token to its session", () => {
    const t = newSessionToken();
    expect(csrfFor(t)).toBe(csrfFor(t));
    expect(csrfFor(t)).not.toBe(csrfFor(newSessionToken()));
  });

  it.each([
    ["header and cookie both the session's", (c: string) => [c, c], true],
    ["header missing", (c: string) => [c, undefined], false],
    ["cookie missing", (c: string) => [undefined, c], false],
    ["header differs from cookie", (c: string) => [c, `${c.slice(1)}x`], false],
    ["both another session's", () => [csrfFor("other"), csrfFor("other")], false],
    ["both empty", () => ["", ""], false],
  ] as const)("csrf check: %s", (_name, pick, ok) => {
    const t = newSessionToken();
    const [cookie, header] = pick(csrfFor(t));
    expect(csrfMatches(t, cookie, header)).toBe(ok);
  });

  it("parses a Cookie header, first of a name winning", () => {
    const c = parseCookies("a=1; stratus_session=abc; b = 2; a=3; junk");
    expect(c.get("a")).toBe("1");
    expect(c.get("stratus_session")).toBe("abc");
    expect(c.get("b")).toBe("2");
    expect(parseCookies(undefined).size).toBe(0);
  });

  it("sets the session HttpOnly and the CSRF cookie readable, both SameSite=Strict, Secure over TLS", () => {
    const [session, csrf] = sessionCookies("tok", { maxAgeSeconds: 3600, secure: true });
    expect(session).toBe("stratus_session=tok; HttpOnly; Path=/; Max-Age=3600; SameSite=Strict; Secure");
    expect(csrf).toBe(`stratus_csrf=${csrfFor("tok")}; Path=/; Max-Age=3600; SameSite=Strict; Secure`);
    const plain = sessionCookies("tok", { maxAgeSeconds: 60, secure: false });
    expect(plain.every((c) => !c.includes("Secure"))).toBe(true);
    expect(clearedCookies(false)).toEqual([
      "stratus_session=; HttpOnly; Path=/; Max-Age=0; SameSite=Strict",
      "stratus_csrf=; Path=/; Max-Age=0; SameSite=Strict",
    ]);
  });
});
