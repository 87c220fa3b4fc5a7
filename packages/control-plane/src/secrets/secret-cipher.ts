// Seals and opens secret values with AES-256-GCM (Node's crypto, OpenSSL underneath):
// a random 96-bit nonce per value, the secret's ARN and version id as additional
// authenticated data (a ciphertext moved to another secret or version fails to open),
// and the id of the platform key beside it, so that a later key rotation knows which
// key opens which value. The key itself comes from config, never from code.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { SealedValue } from "../store/secret-store.js";

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Opening failed: wrong key, or the bytes or their binding (ARN, version) were changed. */
export class SecretTamperedError extends Error {}

export interface SecretCipher {
  /** The id stored beside every value this cipher seals. */
  readonly keyId: string;
  seal(plaintext: Buffer, arn: string, versionId: string): SealedValue;
  /** Throws SecretTamperedError unless `sealed` is intact and was sealed for this ARN and version. */
  open(sealed: SealedValue, arn: string, versionId: string): Buffer;
}

/** A key's id: derived from the key (a SHA-256 prefix), so it needs no configuration of its own. */
export const keyIdOf = (key: Buffer) => `k1-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;

const aadOf = (arn: string, versionId: string) => Buffer.from(`${arn}\n${versionId}`, "utf8");

export function createSecretCipher(key: Buffer): SecretCipher {
  if (key.length !== 32) throw new Error("The secrets key must be 32 bytes");
  const keyId = keyIdOf(key);
  return {
    keyId,
    seal(plaintext, arn, versionId) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadOf(arn, versionId));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId, nonce, ciphertext: Buffer.concat([body, cipher.getAuthTag()]) };
    },
    open(sealed, arn, versionId) {
      if (sealed.keyId !== keyId) {
        throw new SecretTamperedError(`The value was sealed under key ${sealed.keyId}, not the configured ${keyId}`);
      }
      if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
        throw new SecretTamperedError("The sealed value is malformed");
      }
      const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
      const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
      const decipher = createDecipheriv(ALGORITHM, key, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aadOf(arn, versionId));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        throw new SecretTamperedError("The sealed value failed authentication");
      }
    },
  };
}
