// The notification receiver and the sources it answers: an account registers a store
// (MinIO, Ceph RGW) and gets its token once; a notification is read only once its
// token is good, normalised to AWS's S3 records, matched against the account's bucket
// configurations, and every matched destination's delivery (a function's Event
// invocation, a queue's message, a topic's message) is committed in one transaction
// before the receiver answers. Invocation and topic message ids derive from the record
// and the configuration, so a store retrying a notification does not invoke or publish
// twice; a queue may get a retried notification's message again, as S3 delivers at
// least once.
import { randomBytes } from "node:crypto";
import { LATEST, type Logger, StratusError } from "@stratus/shared";
import { derivedUuid, functionOfArn } from "../schedules/firing.js";
import type { Deliveries } from "../schedules/targets.js";
import { asyncLimitsOf } from "../services/async-service.js";
import { queueLetter } from "../sqs/dead-letters.js";
import type { NotificationBinding, ObjectEventStore } from "../store/object-event-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { type DeliveryCheck, undeliverable } from "./bucket-notifications.js";
import { type Normalised, normaliseNotification } from "./normalise.js";
import { bindingMatches } from "./notification-config.js";
import { newSourceToken, presentedToken, tokenDigest, tokenMatches } from "./source-tokens.js";
import { S3_SUBJECT } from "./test-events.js";

export const SOURCE_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface Received {
  /** Records in the notification. */
  records: number;
  /** Deliveries committed: invocations, queue and topic messages (a retried notification's invocations and topic messages are not committed twice). */
  invocations: number;
}

export interface ReceiverDeps extends DeliveryCheck {
  store: ObjectEventStore;
  settings: Pick<SettingsStore, "getEventInvokeConfig">;
  relay: { nudge(): void };
  /** Wakes SNS's publish relay (topic destinations). */
  published?: (() => void) | undefined;
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

  /** The id a record's delivery to `binding` takes: the same for a notification the store sends again. */
  const deliveryId = (sourceId: string, n: Normalised, binding: NotificationBinding) => {
    const o = n.record.s3.object;
    return derivedUuid(
      [
        sourceId,
        binding.id,
        n.record.s3.bucket.name,
        n.key,
        n.record.eventName,
        o.sequencer,
        o.versionId ?? "",
        n.record.eventTime,
      ].join("\u0000"),
    );
  };

  /** Adds the delivery of `n` to `binding`'s destination to `into`; false when it cannot be delivered (logged). */
  async function deliver(
    accountId: string,
    sourceId: string,
    n: Normalised,
    binding: NotificationBinding,
    into: Pick<Deliveries, "invocations" | "letters" | "publishes">,
  ): Promise<boolean> {
    const bucket = n.record.s3.bucket.name;
    const record = { ...n.record, s3: { ...n.record.s3, configurationId: binding.id } };
    const payload = JSON.stringify({ Records: [record] });
    const id = deliveryId(sourceId, n, binding);
    if (binding.topicArn !== undefined) {
      into.publishes?.push({ id, accountId, topicArn: binding.topicArn, subject: S3_SUBJECT, message: payload });
      return true;
    }
    if (binding.queueArn !== undefined) {
      const letter = queueLetter(accountId, binding.queueArn, payload, {});
      if (letter) into.letters.push({ letter });
      return letter !== undefined;
    }
    const functionArn = binding.functionArn ?? "";
    const why = await undeliverable(deps, accountId, bucket, functionArn);
    if (why) {
      deps.log.warn(`object event for ${bucket} not delivered to ${functionArn}: ${why}`, { accountId });
      return false;
    }
    const fn = functionOfArn(functionArn) as { functionName: string; qualifier?: string };
    const config = await deps.settings.getEventInvokeConfig(accountId, fn.functionName, fn.qualifier ?? LATEST);
    into.invocations.push({
      id,
      accountId,
      functionName: fn.functionName,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
      payload: Buffer.from(payload),
      ...asyncLimitsOf(config),
    });
    return true;
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
      const bindingsOf = new Map<string, Promise<NotificationBinding[]>>();
      const into: Pick<Deliveries, "invocations" | "letters" | "publishes"> = {
        invocations: [],
        letters: [],
        publishes: [],
      };
      for (const n of records) {
        const bucket = n.record.s3.bucket.name;
        if (!bindingsOf.has(bucket)) bindingsOf.set(bucket, store.getBindings(accountId, bucket));
        for (const binding of await (bindingsOf.get(bucket) as Promise<NotificationBinding[]>)) {
          if (bindingMatches(binding, n.record.eventName, n.key)) await deliver(accountId, sourceId, n, binding, into);
        }
      }
      const written = await store.accept(into);
      if (into.invocations.length > 0) deps.relay.nudge();
      if (into.publishes?.length) deps.published?.();
      return { records: records.length, invocations: written };
    },
  };
}

export type ObjectEventReceiver = ReturnType<typeof createObjectEventReceiver>;
