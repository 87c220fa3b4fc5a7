// Where an SQS queue ARN is served: Stratus has no SQS of its own to own the queues a
// mapping names, so an operator says which SQS-compatible server serves which region and
// account (STRATUS_SQS_ENDPOINTS), and with which credentials. The most specific entry
// wins; the entry for region "*" and account "*" is the default endpoint (which may be
// Stratus's own URL once it serves the SQS API).
import { z } from "zod";

const SECRET_ARN = /^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:(\d{12}):secret:[a-zA-Z0-9/_+=.@-]{1,512}$/;

const Entry = z
  .object({
    Region: z.string().regex(/^(\*|[a-z]{2}(-[a-z]+)+-\d)$/, "Region is a region name or *"),
    Account: z.string().regex(/^(\*|\d{12})$/, "Account is a 12-digit account id or *"),
    Url: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), "Url is http:// or https://"),
    /** A Secrets Manager secret (full or partial ARN) holding {"accessKeyId","secretAccessKey","sessionToken"?}. */
    CredentialsSecretArn: z
      .string()
      .regex(SECRET_ARN, "CredentialsSecretArn is a Secrets Manager secret ARN")
      .optional(),
    AccessKeyId: z.string().min(1).optional(),
    SecretAccessKey: z.string().min(1).optional(),
  })
  .strict()
  .refine((e) => (e.AccessKeyId === undefined) === (e.SecretAccessKey === undefined), {
    message: "AccessKeyId and SecretAccessKey go together",
  })
  .refine((e) => !(e.CredentialsSecretArn && e.AccessKeyId), {
    message: "give CredentialsSecretArn or AccessKeyId/SecretAccessKey, not both",
  });

export type SqsEndpointEntry = z.output<typeof Entry>;

/** How the poller signs its requests to the endpoint. */
export type SqsCredentials =
  | { kind: "static"; accessKeyId: string; secretAccessKey: string }
  | { kind: "secret"; accountId: string; secretArn: string }
  /** No credentials configured: requests are signed with a placeholder key (servers that check none). */
  | { kind: "none" };

export interface SqsEndpoint {
  url: string;
  credentials: SqsCredentials;
}

/** Parses STRATUS_SQS_ENDPOINTS (a JSON array of entries; empty or unset: none). Throws with the reason. */
export function parseSqsEndpoints(text: string | undefined): SqsEndpointEntry[] {
  if (text === undefined || text.trim() === "") return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("STRATUS_SQS_ENDPOINTS must be a JSON array (docs/EVENT-SOURCES.md)");
  }
  const parsed = z.array(Entry).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`STRATUS_SQS_ENDPOINTS[${issue?.path.join(".")}]: ${issue?.message}`);
  }
  const seen = new Set<string>();
  for (const e of parsed.data) {
    const key = `${e.Region}/${e.Account}`;
    if (seen.has(key)) throw new Error(`STRATUS_SQS_ENDPOINTS names region ${e.Region} account ${e.Account} twice`);
    seen.add(key);
  }
  return parsed.data;
}

const specificity = (e: SqsEndpointEntry) => (e.Account === "*" ? 0 : 2) + (e.Region === "*" ? 0 : 1);

/** The endpoint serving queues of `region` and `account`: the most specific matching entry, else none. */
export function resolveSqsEndpoint(
  entries: readonly SqsEndpointEntry[],
  region: string,
  account: string,
): SqsEndpoint | undefined {
  const best = entries
    .filter((e) => (e.Region === "*" || e.Region === region) && (e.Account === "*" || e.Account === account))
    .sort((a, b) => specificity(b) - specificity(a))[0];
  if (!best) return undefined;
  const credentials: SqsCredentials = best.CredentialsSecretArn
    ? {
        kind: "secret",
        accountId: SECRET_ARN.exec(best.CredentialsSecretArn)?.[1] ?? "",
        secretArn: best.CredentialsSecretArn,
      }
    : best.AccessKeyId && best.SecretAccessKey
      ? { kind: "static", accessKeyId: best.AccessKeyId, secretAccessKey: best.SecretAccessKey }
      : { kind: "none" };
  return { url: best.Url.replace(/\/$/, ""), credentials };
}

/** An SQS queue ARN: arn:aws:sqs:<region>:<account>:<name>. */
export interface SqsArn {
  region: string;
  accountId: string;
  queueName: string;
}

const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([a-zA-Z0-9_-]{1,80}(\.fifo)?)$/;

export const isSqsArn = (arn: string) => /^arn:aws[a-zA-Z-]*:sqs:/.test(arn);

export function parseSqsArn(arn: string): SqsArn | undefined {
  const m = SQS_ARN.exec(arn);
  if (!m) return undefined;
  return { region: m[1] ?? "", accountId: m[2] ?? "", queueName: m[3] ?? "" };
}
