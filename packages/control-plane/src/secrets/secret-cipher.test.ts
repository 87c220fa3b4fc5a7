import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretCipher, keyIdOf, SecretTamperedError } from "./secret-cipher.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
const key = randomBytes(32);
const cipher = createSecretCipher(key);
const plaintext = Buffer.from('{"password":"hunter2-correct-horse"}');

describe("secret cipher", () => {
  it("opens what it sealed, under the key's id, with a fresh nonce each time", () => {
    const a = cipher.seal(plaintext, ARN, "v1");
    const b = cipher.seal(plaintext, ARN, "v1");
    expect(cipher.open(a, ARN, "v1").equals(plaintext)).toBe(true);
    expect(a.keyId).toBe(keyIdOf(key));
    expect(a.nonce).toHaveLength(12);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(plaintext)).toBe(false);
  });

  it.each([
    ["a flipped ciphertext bit", (s: ReturnType<typeof cipher.seal>) => ({ ...s, ciphertext: flip(s.ciphertext, 0) })],
    [
      "a flipped tag bit",
      (s: ReturnType<typeof cipher.seal>) => ({ ...s, ciphertext: flip(s.ciphertext, s.ciphertext.length - 1) }),
    ],
    ["another nonce", (s: ReturnType<typeof cipher.seal>) => ({ ...s, nonce: randomBytes(12) })],
    ["a cut ciphertext", (s: ReturnType<typeof cipher.seal>) => ({ ...s, ciphertext: s.ciphertext.subarray(0, 10) })],
  ])("detects %s", (_name, tamper) => {
    const sealed = tamper(cipher.seal(plaintext, ARN, "v1"));
    expect(() => cipher.open(sealed, ARN, "v1")).toThrow(SecretTamperedError);
  });

  it("refuses a value moved to another version or secret (its binding is authenticated)", () => {
    const sealed = cipher.seal(plaintext, ARN, "v1");
    expect(() => cipher.open(sealed, ARN, "v2")).toThrow(SecretTamperedError);
    expect(() => cipher.open(sealed, `${ARN}x`, "v1")).toThrow(SecretTamperedError);
  });

  it("refuses a value sealed under another key, naming the key ids", () => {
    const other = createSecretCipher(randomBytes(32));
    const sealed = other.seal(plaintext, ARN, "v1");
    expect(() => cipher.open(sealed, ARN, "v1")).toThrow(/sealed under key k1-[0-9a-f]{16}/);
    // Even with the stored id rewritten to this key's, authentication fails.
    expect(() => cipher.open({ ...sealed, keyId: cipher.keyId }, ARN, "v1")).toThrow(SecretTamperedError);
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => createSecretCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});

function flip(buf: Buffer, at: number): Buffer {
  const out = Buffer.from(buf);
  out[at] = (out[at] as number) ^ 1;
  return out;
}
