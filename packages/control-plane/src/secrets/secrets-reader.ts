// What other parts of the platform (event source mappings' broker credentials) may
// read of the secrets store: the current value of one of an account's secrets, named
// by its ARN. Nothing else of a secret leaves this module this way.
import type { SecretStore } from "../store/secret-store.js";
import type { SecretCipher } from "./secret-cipher.js";
import { secretOf } from "./secret-refs.js";
import { chooseVersion, openVersion } from "./secret-values.js";
import { CURRENT } from "./stages.js";

export type SecretContent = { kind: "string"; string: string } | { kind: "binary"; binary: Buffer };

export interface SecretsReader {
  /**
   * The AWSCURRENT value of `accountId`'s secret named by `arn` (full or partial ARN).
   * Throws ResourceNotFoundException if there is no such secret of that account or it
   * has no current value, InvalidRequestException if it is scheduled for deletion.
   */
  current(accountId: string, arn: string): Promise<SecretContent>;
}

export function createSecretsReader(
  store: Pick<SecretStore, "find" | "value">,
  cipher: SecretCipher,
  region: string,
): SecretsReader {
  return {
    async current(accountId, arn) {
      const secret = await secretOf(store, region, accountId, arn, true);
      const open = await openVersion(store, cipher, secret, chooseVersion(secret, undefined, CURRENT));
      return open.kind === "string"
        ? { kind: "string", string: open.bytes.toString("utf8") }
        : { kind: "binary", binary: open.bytes };
    },
  };
}
