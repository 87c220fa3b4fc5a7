// The notification receiver and the sources it answers: an account registers a store
// (MinIO, Ceph RGW) and gets its token once; a notification is read only once its
// token is good, normalised to AWS's S3 records, matched against the account's bucket
// configurations, and every matched function's Event invocation is committed in one
// transaction before the receiver answers. Invocation ids derive from the record and
// the configuration, so a store retrying a notification does not invoke twice.
import { randomBytes } from "node:crypto";
import { LATEST, type Logger, StratusError } from "@stratus/shared";
import { derivedUuid, functionOfArn } from "../schedules/firing.js";
import { asyncLimitsOf } from "../services/async-service.js";
import type { NewAsyncInvocation } from "../store/async-store.js";
import type { LambdaBinding, ObjectEventStore } from "../store/object-event-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { type DeliveryCheck, undeliverable } from "./bucket-notifications.js";
import { type Normalised, normaliseNotification } from "./normalise.js";
import { bindingMatches } from "./notification-config.js";
import { newSourceToken, presentedToken, tokenDigest, tokenMatches } from "./source-tokens.js";

export const SOURCE_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface Received {
  /** Records in the notification. */
  records: number;
  /** Invocations committed (a retried notification's are not committed twice). */
  invocations: number;
}

export interface ReceiverDeps extends DeliveryCheck {
  store: ObjectEventStore;
  settings: Pick<SettingsStore, "getEventInvokeConfig">;
  relay: { nudge(): void };
  log: Pick<Logger, "warn">;
}

const unauthorized = () =>
  new StratusError(
    "UnauthorizedException",
    401,
    "client",
    "A source token is required (Authorization: Bearer <token>)",
  );
const forbidden = () => new StratusError("AccessDeniedException", 403, "client", "Invalid source or token");
/** Compared against when the source is unknown, so that an unknown source takes as long as a wrong token. */
const NO_DIGEST = tokenDigest(randomBytes(32).toString("hex"));

export function createObjectEventReceiver(deps: ReceiverDeps) {
  const { store } = deps;

  /** The invocation `record` makes for `binding`, or undefined when it cannot be delivered (logged). */
  async function invocation(
    accountId: string,
    sourceId: string,
    n: Normalised,
    binding: LambdaBinding,
  ): Promise<NewAsyncInvocation | undefined> {
    const bucket = n.record.s3.bucket.name;
    const why = await undeliverable(deps, accountId, bucket, binding.functionArn);
    if (why) {
      deps.log.warn(`object event for ${bucket} not delivered to ${binding.functionArn}: ${why}`, { accountId });
      return undefined;
    }
    const fn = functionOfArn(binding.functionArn) as { functionName: string; qualifier?: string };
    const config = await deps.settings.getEventInvokeConfig(accountId, fn.functionName, fn.qualifier ?? LATEST);
    const record = { ...n.record, s3: { ...n.record.s3, configurationId: binding.id } };
    const o = record.s3.object;
    return {
      id: derivedUuid(
        [sourceId, binding.id, bucket, n.key, record.eventName, o.sequencer, o.versionId ?? "", record.eventTime].join(
          "\u0000",
        ),
      ),
      accountId,
      functionName: fn.functionName,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
      payload: Buffer.from(JSON.stringify({ Records: [record] })),
      ...asyncLimitsOf(config),
    };
  }

  return {
    async register(accountId: string, name: string) {
      const token = newSourceToken();
      const sourceId = `src-${randomBytes(12).toString("hex")}`;
      const created = await store.createSource({ sourceId, accountId, name, tokenDigest: tokenDigest(token) });
      if (!created) return undefined;
      return { sourceId, name, token };
    },
    list: (accountId: string) => store.listSources(accountId),
    remove: (accountId: string, name: string) => store.deleteSource(accountId, name),

    /** The account whose source `sourceId` is, when `authorization` carries its token; 401 without one, 403 otherwise. */
    async authenticate(sourceId: string, authorization: string | undefined): Promise<string> {
      const token = presentedToken(authorization);
      if (token === undefined) throw unauthorized();
      const source = /^src-[0-9a-f]{24}$/.test(sourceId) ? await store.findSource(sourceId) : undefined;
      const ok = tokenMatches(token, source?.tokenDigest ?? NO_DIGEST);
      if (!source || !ok) throw forbidden();
      return source.accountId;
    },

    /** Commits the invocations a notification body (authenticated for `accountId`) matches. */
    async receive(accountId: string, sourceId: string, body: unknown): Promise<Received> {
      const records = normaliseNotification(body, deps.region);
      const bindingsOf = new Map<string, Promise<LambdaBinding[]>>();
      const invocations: NewAsyncInvocation[] = [];
      for (const n of records) {
        const bucket = n.record.s3.bucket.name;
        if (!bindingsOf.has(bucket)) bindingsOf.set(bucket, store.getBindings(accountId, bucket));
        for (const binding of await (bindingsOf.get(bucket) as Promise<LambdaBinding[]>)) {
          if (!bindingMatches(binding, n.record.eventName, n.key)) continue;
          const inv = await invocation(accountId, sourceId, n, binding);
          if (inv) invocations.push(inv);
        }
      }
      const written = await store.accept(invocations);
      if (written > 0) deps.relay.nudge();
      return { records: records.length, invocations: written };
    },
  };
}

export type ObjectEventReceiver = ReturnType<typeof createObjectEventReceiver>;
