// Lambda's Amazon MQ for RabbitMQ event, built from delivered messages:
// {eventSource:"aws:rmq", eventSourceArn, rmqMessagesByQueue:{"<queue>::<vhost>":[
//   {basicProperties{...,bodySize}, redelivered, data(base64)}]}}
// Header strings are shown as Lambda's Java client shows them ({"bytes":[...]}), and
// the timestamp in its medium date format, so handlers written for Lambda parse them.

export interface RmqProperties {
  contentType?: unknown;
  contentEncoding?: unknown;
  headers?: Record<string, unknown>;
  deliveryMode?: unknown;
  priority?: unknown;
  correlationId?: unknown;
  replyTo?: unknown;
  expiration?: unknown;
  messageId?: unknown;
  timestamp?: unknown;
  type?: unknown;
  userId?: unknown;
  appId?: unknown;
  clusterId?: unknown;
}

export interface RmqMessage {
  properties: RmqProperties;
  redelivered: boolean;
  content: Buffer;
}

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** An AMQP header value as Lambda renders it: strings and bytes as {bytes:[...]}, tables and arrays within. */
export function headerValue(v: unknown): unknown {
  if (typeof v === "string") return { bytes: [...Buffer.from(v, "utf8")] };
  if (Buffer.isBuffer(v)) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(headerValue);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, headerValue(x)]));
  }
  return v ?? null;
}

const orNull = (v: unknown) => v ?? null;

/** AMQP timestamps are seconds since the epoch. */
function timestamp(v: unknown): string | null {
  if (typeof v !== "number") return null;
  return dateFormat.format(new Date(v * 1000)).replace(/\u202f/g, " ");
}

export function rmqEntry(m: RmqMessage) {
  const p = m.properties;
  return {
    basicProperties: {
      contentType: orNull(p.contentType),
      contentEncoding: orNull(p.contentEncoding),
      headers: p.headers ? headerValue(p.headers) : null,
      deliveryMode: orNull(p.deliveryMode),
      priority: orNull(p.priority),
      correlationId: orNull(p.correlationId),
      replyTo: orNull(p.replyTo),
      expiration: orNull(p.expiration),
      messageId: orNull(p.messageId),
      timestamp: timestamp(p.timestamp),
      type: orNull(p.type),
      userId: orNull(p.userId),
      appId: orNull(p.appId),
      clusterId: orNull(p.clusterId),
      bodySize: m.content.length,
    },
    redelivered: m.redelivered,
    data: m.content.toString("base64"),
  };
}

export const queueKey = (queue: string, vhost: string) => `${queue}::${vhost}`;

export function rmqEvent(eventSourceArn: string, queue: string, vhost: string, entries: readonly unknown[]) {
  return { eventSource: "aws:rmq", eventSourceArn, rmqMessagesByQueue: { [queueKey(queue, vhost)]: entries } };
}

/** What FilterCriteria sees of a message: its data parsed when it is JSON (as Lambda does for MQ), else the text. */
export function rmqFilterView(entry: ReturnType<typeof rmqEntry>, content: Buffer): Record<string, unknown> {
  const text = content.toString("utf8");
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: patterns on data see the plain text
  }
  return { basicProperties: entry.basicProperties, redelivered: entry.redelivered, data };
}
