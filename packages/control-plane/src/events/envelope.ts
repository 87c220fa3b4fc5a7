// Events in EventBridge's shape: what a scheduled rule sends on each tick ("Scheduled
// Event" from aws.events) and what PutEvents makes of an entry; `time` to the second.
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  [key: string]: unknown;
}

/** An instant as EventBridge writes it: ISO 8601 UTC, whole seconds. */
export const eventTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function scheduledEvent(id: string, accountId: string, region: string, ruleArn: string, tick: Date) {
  return envelope({
    id,
    detailType: "Scheduled Event",
    source: "aws.events",
    accountId,
    time: tick,
    region,
    resources: [ruleArn],
    detail: {},
  });
}

export function envelope(e: {
  id: string;
  detailType: string;
  source: string;
  accountId: string;
  time: Date;
  region: string;
  resources: string[];
  detail: unknown;
}): EventEnvelope {
  return {
    version: "0",
    id: e.id,
    "detail-type": e.detailType,
    source: e.source,
    account: e.accountId,
    time: eventTime(e.time),
    region: e.region,
    resources: e.resources,
    detail: e.detail,
  };
}
