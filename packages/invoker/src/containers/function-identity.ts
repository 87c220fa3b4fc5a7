// What a function container gets to call AWS services as its function: the Stratus
// endpoint in AWS_ENDPOINT_URL_<SERVICE> for each service Stratus serves (so an AWS
// SDK inside the function calls Stratus unchanged), and, for a function with an
// execution role, that role's temporary credentials (shared session-credentials.ts),
// minted as the container is given its function. Environment variables cannot
// change under a running process, so credentials are never refreshed in place: a
// container stops taking invocations (retireAt) while what is left of their life
// still covers a whole invocation, and the next one starts with new credentials.
import { type InvokeSpec, mintSessionCredentials, sessionKey } from "@stratus/shared";

/** The services Stratus serves, by the AWS SDKs' service ids in AWS_ENDPOINT_URL_<ID>. */
export const ENDPOINT_SERVICES = [
  "LAMBDA",
  "SECRETS_MANAGER",
  "SFN",
  "EVENTBRIDGE",
  "SCHEDULER",
  "CLOUDWATCH",
  "CLOUDWATCH_LOGS",
  "IAM",
] as const;

/** A minute for the invocation's answer to travel back, beyond the function's timeout. */
const MARGIN_MS = 60_000;

export interface FunctionIdentity {
  /** Variables the function cannot override; never logged. */
  env: Record<string, string>;
  /** Epoch ms after which the container takes no new invocation (its credentials would expire during one). */
  retireAt?: number;
}

export type IdentityFor = (spec: InvokeSpec, now?: number) => FunctionIdentity;

export const noIdentity: IdentityFor = () => ({ env: {} });

/**
 * `endpoint`: the URL function containers reach Stratus at (undefined: none);
 * `internalToken`: what the control plane derives the same key from to check them.
 */
export function createIdentity(opts: { endpoint?: string; internalToken: string; ttlMs: number }): IdentityFor {
  const key = sessionKey(opts.internalToken);
  const endpoints: Record<string, string> = {};
  if (opts.endpoint) for (const id of ENDPOINT_SERVICES) endpoints[`AWS_ENDPOINT_URL_${id}`] = opts.endpoint;
  return (spec, now = Date.now()) => {
    // A function that names its own endpoint for a service keeps it.
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries(endpoints)) if (!(k in spec.environment)) own[k] = v;
    if (!spec.roleArn) return { env: own };
    const claims = { accountId: spec.accountId, roleArn: spec.roleArn, sessionName: spec.functionName };
    const c = mintSessionCredentials(key, claims, opts.ttlMs, now);
    return {
      env: {
        ...own,
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        AWS_SESSION_TOKEN: c.sessionToken,
      },
      retireAt: c.expiresAt - spec.timeoutSeconds * 1000 - MARGIN_MS,
    };
  };
}
