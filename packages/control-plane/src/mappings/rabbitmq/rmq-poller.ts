// The RabbitMQ source: one AMQP connection and channel per mapping, prefetch = the
// batch size, consuming the mapping's queue with manual acks. Deliveries are buffered
// in order and handed out by take(); ack, requeue (nack) and reject (to the queue's
// dead-letter exchange) settle them. Credentials come from the mapping's BASIC_AUTH
// secret ({"username","password"}), the virtual host from VIRTUAL_HOST ("/" if none).
import { createHash } from "node:crypto";
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from "amqplib";
import { awsShapedNotification, regionOfArn } from "../../objects/queued-notification.js";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import { createArrival } from "../arrival.js";
import { type SourcePoller, SourceProblem, type SourceRecord } from "../source-poller.js";
import { rmqEntry, rmqEvent, rmqFilterView } from "./rmq-event.js";

export interface RmqSource {
  accountId: string;
  eventSourceArn: string;
  /** amqp://host:port or amqps://host:port, as registered now (throws SourceProblem if it is not). */
  brokerUrl: () => Promise<string>;
  queue: string;
  vhost: string;
  secretArn: string;
  prefetch: number;
}

export interface RmqRecord extends SourceRecord {
  message: ConsumeMessage;
  entry: ReturnType<typeof rmqEntry>;
}

const CONNECT_TIMEOUT_MS = 5000;

async function credentials(secrets: SecretsReader | undefined, s: RmqSource) {
  if (!secrets) throw new SourceProblem("Secrets Manager is not configured on this platform (STRATUS_SECRETS_KEY).");
  let text: string;
  try {
    const value = await secrets.current(s.accountId, s.secretArn);
    text = value.kind === "string" ? value.string : value.binary.toString("utf8");
  } catch (err) {
    throw new SourceProblem(`Could not read the BASIC_AUTH secret ${s.secretArn}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as { username?: unknown; password?: unknown };
    if (typeof parsed.username === "string" && typeof parsed.password === "string")
      return parsed as { username: string; password: string };
  } catch {
    // answered below
  }
  throw new SourceProblem(`The BASIC_AUTH secret ${s.secretArn} must hold JSON {"username": ..., "password": ...}.`);
}

/** A connection failure as Lambda shows it in LastProcessingResult, with the reason. */
function problemOf(err: Error, s: RmqSource, where: string): SourceProblem {
  const m = err.message;
  if (/ACCESS_REFUSED|403/.test(m)) {
    return new SourceProblem(
      `Invalid credentials. The broker at ${where} refused the username and password in ${s.secretArn}.`,
    );
  }
  if (/NOT_ALLOWED|530/.test(m))
    return new SourceProblem(`Virtual host ${s.vhost} is not open to this user at ${where}.`);
  return new SourceProblem(
    `Connection error. Stratus could not connect to the broker at ${where} (${m.slice(0, 200)}).`,
  );
}

export function createRmqPoller(s: RmqSource, secrets: SecretsReader | undefined): SourcePoller<RmqRecord> {
  let conn: ChannelModel | undefined;
  let channel: Channel | undefined;
  let broken: SourceProblem | undefined;
  const buffer: RmqRecord[] = [];
  const arrival = createArrival();
  const overhead = Buffer.byteLength(JSON.stringify(rmqEvent(s.eventSourceArn, s.queue, s.vhost, [])));

  const onMessage = (message: ConsumeMessage | null) => {
    if (!message) {
      broken = new SourceProblem(`The broker cancelled the consumer of queue ${s.queue}.`);
    } else {
      // An object store's notification reaches the function as AWS's S3 event (docs/OBJECT-EVENTS.md).
      const content = awsShapedNotification(message.content, regionOfArn(s.eventSourceArn)) ?? message.content;
      const entry = rmqEntry({ properties: message.properties, redelivered: message.fields.redelivered, content });
      const id = message.properties.messageId;
      const identity =
        typeof id === "string" && id !== ""
          ? `id:${id}`
          : createHash("sha256")
              .update(message.content)
              .update(JSON.stringify(message.properties.headers ?? {}))
              .digest("hex");
      buffer.push({
        message,
        entry,
        identity,
        size: Buffer.byteLength(JSON.stringify(entry)) + 1,
        filterView: rmqFilterView(entry, content),
      });
    }
    arrival.signal();
  };

  const each = (records: readonly RmqRecord[], settle: (c: Channel, m: ConsumeMessage) => void) => {
    // On a broken channel the broker has requeued every unacked message already.
    if (!channel || broken) return;
    for (const r of records) settle(channel, r.message);
  };

  return {
    eventOverhead: overhead,
    async connect() {
      const url = new URL(await s.brokerUrl());
      const { username, password } = await credentials(secrets, s);
      try {
        conn = await amqp.connect(
          {
            protocol: url.protocol.replace(":", ""),
            hostname: url.hostname,
            port: Number(url.port) || (url.protocol === "amqps:" ? 5671 : 5672),
            username,
            password,
            vhost: s.vhost,
            heartbeat: 10,
          },
          { timeout: CONNECT_TIMEOUT_MS },
        );
      } catch (err) {
        throw problemOf(err as Error, s, url.host);
      }
      conn.on("error", () => undefined);
      conn.on("close", () => {
        broken ??= new SourceProblem(`Connection error. The broker at ${url.host} closed the connection.`);
        arrival.signal();
      });
      try {
        const ch = await conn.createChannel();
        // The broker closing the channel itself says why (a queue deleted...); a channel
        // closed with no error went down with its connection.
        ch.on("error", (err: Error) => {
          broken ??= new SourceProblem(`The broker closed the channel: ${err.message.slice(0, 200)}`);
        });
        ch.on("close", () => {
          broken ??= new SourceProblem(`Connection error. The connection to the broker at ${url.host} was lost.`);
          arrival.signal();
        });
        await ch.checkQueue(s.queue);
        await ch.prefetch(s.prefetch);
        await ch.consume(s.queue, onMessage, { noAck: false });
        channel = ch;
      } catch (err) {
        await conn.close().catch(() => undefined);
        const m = (err as Error).message;
        if (/NOT_FOUND|404/.test(m))
          throw new SourceProblem(`Queue ${s.queue} does not exist in virtual host ${s.vhost}.`);
        throw problemOf(err as Error, s, url.host);
      }
    },
    async take(max, waitMs, signal) {
      if (buffer.length === 0 && !broken) await arrival.wait(waitMs, signal);
      return buffer.splice(0, max);
    },
    event: (records) =>
      rmqEvent(
        s.eventSourceArn,
        s.queue,
        s.vhost,
        records.map((r) => r.entry),
      ),
    async ack(records) {
      each(records, (c, m) => c.ack(m));
    },
    async retry(records) {
      each(records, (c, m) => c.nack(m, false, true));
    },
    async reject(records) {
      each(records, (c, m) => c.nack(m, false, false));
    },
    broken: () => broken,
    async close() {
      buffer.length = 0;
      await conn?.close().catch(() => undefined);
    },
  };
}
