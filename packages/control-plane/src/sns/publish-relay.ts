// Fans out the messages other services publish to topics (store/sns-publish-requests.ts):
// every half second, and at once when told of new ones. Each request's deliveries are
// written and the request deleted in one transaction, so a message is fanned out once
// however many control planes drain. A request whose topic is gone is dropped and
// logged (SNS would have refused the publish); any other failure is tried again later.
import type { Logger } from "@stratus/shared";
import { startDrainRelay } from "../drain-relay.js";
import type { Deliveries } from "../store/deliveries.js";
import type { PublishRequest } from "../store/sns-publish-requests.js";
import type { SnsStore } from "../store/sns-store.js";
import type { FanoutCount } from "./fanout.js";
import type { Published } from "./notification.js";
import { byProtocol } from "./publish.js";
import { parseTopicArn } from "./sns-names.js";

const BATCH = 50;

export interface RelayDeps {
  store: Pick<SnsStore, "getTopic" | "subscriptionsOf" | "drainPublishRequests">;
  fanOut(
    subscriptions: Awaited<ReturnType<SnsStore["subscriptionsOf"]>>,
    p: Published,
    into: Deliveries,
    count: FanoutCount,
  ): Promise<void>;
  /** Counts what a drained request came to (the publish counters). */
  counted(count: FanoutCount, lost: number): void;
  /** The async relay, woken when invocations were written. */
  relay: { nudge(): void };
  log: Pick<Logger, "warn">;
}

export function startPublishRelay(deps: RelayDeps, opts: { intervalMs?: number } = {}) {
  /** What request `r` writes, or "drop" when its topic is gone. */
  async function plan(
    r: PublishRequest & { createdAt: Date },
  ): Promise<{ into: Deliveries; count: FanoutCount } | "drop"> {
    const ref = parseTopicArn(r.topicArn);
    if (!ref || ref.accountId !== r.accountId || !(await deps.store.getTopic(r.accountId, ref.name))) {
      deps.log.warn("a message to a topic that no longer exists was dropped", {
        topicArn: r.topicArn,
        messageId: r.id,
      });
      return "drop";
    }
    const into: Deliveries = { invocations: [], letters: [], starts: [] };
    const count = { delivered: 0, filtered: 0, failed: 0 };
    const published: Published = {
      messageId: r.id,
      topicArn: r.topicArn,
      message: r.structure === "json" ? byProtocol(r.message) : () => r.message,
      ...(r.subject !== undefined ? { subject: r.subject } : {}),
      attributes: r.attributes ?? {},
      timestamp: r.createdAt,
    };
    await deps.fanOut(await deps.store.subscriptionsOf(r.accountId, ref.name), published, into, count);
    return { into, count };
  }

  return startDrainRelay(
    async () => {
      const { claimed, invocations } = await deps.store.drainPublishRequests(BATCH, plan, deps.counted);
      if (invocations > 0) deps.relay.nudge();
      return claimed;
    },
    {
      batch: BATCH,
      intervalMs: opts.intervalMs ?? 500,
      what: "fan out the messages published to topics",
      log: deps.log,
    },
  );
}
