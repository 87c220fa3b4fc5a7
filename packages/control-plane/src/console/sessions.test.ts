import { describe, expect, it } from "vitest";
import type { AccessKey } from "../domain.js";
import type { ConsoleStore, SessionRow } from "./console-store.js";
import { csrfFor, tokenHash } from "./session-tokens.js";
import { createSessions } from "./sessions.js";

const KEY: AccessKey = { accessKeyId: "AKIATEST", accountId: "123456789012", secretAccessKey: "s3cret" };

function fakeStore() {
  const rows = new Map<string, SessionRow>();
  const store: Pick<ConsoleStore, "createSession" | "findSession" | "deleteSession"> = {
    async createSession(hash, accessKeyId, expiresAt) {
      rows.set(hash.toString("hex"), { accessKeyId, accountId: KEY.accountId, expiresAt });
    },
    async findSession(hash) {
      return rows.get(hash.toString("hex"));
    },
    async deleteSession(hash) {
      rows.delete(hash.toString("hex"));
    },
  };
  return { rows, store: store as ConsoleStore };
}

describe("console sessions", () => {
  const setup = () => {
    let clock = 1_000_000;
    const { rows, store } = fakeStore();
    const sessions = createSessions(
      store,
      async (id) => (id === KEY.accessKeyId ? KEY : undefined),
      3600,
      () => clock,
    );
    return { rows, sessions, advance: (ms: number) => (clock += ms) };
  };

  it("signs in with the key's own secret, and stores only the token's hash", async () => {
    const { rows, sessions } = setup();
    const s = await sessions.signIn("AKIATEST", "s3cret");
    expect(s.accountId).toBe(KEY.accountId);
    expect(s.expiresAt.getTime()).toBe(1_000_000 + 3_600_000);
    expect([...rows.keys()]).toEqual([tokenHash(s.token).toString("hex")]);
  });

  it.each([
    ["a wrong secret", "AKIATEST", "nope"],
    ["a secret one character short", "AKIATEST", "s3cre"],
    ["an unknown key", "AKIAOTHER", "s3cret"],
    ["an absurdly long id", "A".repeat(200), "s3cret"],
  ])("refuses %s with 401 InvalidCredentialsException, storing nothing", async (_n, id, secret) => {
    const { rows, sessions } = setup();
    await expect(sessions.signIn(id, secret)).rejects.toMatchObject({
      code: "InvalidCredentialsException",
      status: 401,
    });
    expect(rows.size).toBe(0);
  });

  it("checks a request's session and its CSRF header", async () => {
    const { sessions } = setup();
    const { token } = await sessions.signIn("AKIATEST", "s3cret");
    const csrf = csrfFor(token);
    await expect(sessions.check(token, csrf, csrf)).resolves.toMatchObject({ accountId: KEY.accountId });
    await expect(sessions.check(token, csrf, undefined)).rejects.toMatchObject({ code: "InvalidCsrfTokenException" });
    await expect(sessions.check(token, csrf, csrfFor("forged"))).rejects.toMatchObject({ status: 403 });
    await expect(sessions.check(undefined, csrf, csrf)).rejects.toMatchObject({ code: "SessionExpiredException" });
    await expect(sessions.check("unknown", csrf, csrf)).rejects.toMatchObject({ status: 401 });
  });

  it("ends a session at its expiry and on sign-out", async () => {
    const { sessions, advance } = setup();
    const a = await sessions.signIn("AKIATEST", "s3cret");
    const b = await sessions.signIn("AKIATEST", "s3cret");
    advance(3_599_000);
    await expect(sessions.check(a.token, csrfFor(a.token), csrfFor(a.token))).resolves.toBeDefined();
    await sessions.signOut(b.token);
    await expect(sessions.check(b.token, csrfFor(b.token), csrfFor(b.token))).rejects.toMatchObject({ status: 401 });
    advance(1_000);
    await expect(sessions.check(a.token, csrfFor(a.token), csrfFor(a.token))).rejects.toMatchObject({
      code: "SessionExpiredException",
    });
  });
});
