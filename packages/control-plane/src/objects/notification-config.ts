// A bucket's notification configuration, S3's LambdaFunction-, Queue- and
// TopicConfigurations: read from PutBucketNotificationConfiguration's XML and checked
// as S3 checks it (known event types, at most one prefix and one suffix rule, no two
// configurations sharing an event type over overlapping keys), written back for
// GetBucketNotificationConfiguration, and matched against an event. Pure: the
// destination checks are the service's.
import { randomUUID } from "node:crypto";
import { XmlNode } from "@aws-sdk/xml-builder";
import type { NotificationBinding } from "../store/object-event-store.js";
import { invalidArgument, malformedXml, parseXmlBody, S3_NAMESPACE, textNode, xmlDocument } from "./s3-xml.js";

/** The event types S3 lets a notification name. */
export const S3_EVENT_TYPES = new Set([
  "s3:ObjectCreated:*",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:*",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:*",
  "s3:ObjectRestore:Post",
  "s3:ObjectRestore:Completed",
  "s3:ObjectRestore:Delete",
  "s3:ReducedRedundancyLostObject",
  "s3:Replication:*",
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationNotTracked",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:LifecycleExpiration:*",
  "s3:LifecycleExpiration:Delete",
  "s3:LifecycleExpiration:DeleteMarkerCreated",
  "s3:LifecycleTransition",
  "s3:IntelligentTiering",
  "s3:ObjectTagging:*",
  "s3:ObjectTagging:Put",
  "s3:ObjectTagging:Delete",
  "s3:ObjectAcl:Put",
]);

/** Configurations a bucket may hold. */
export const MAX_CONFIGURATIONS = 100;
const MAX_FILTER_VALUE = 1024;
/** Each configuration element, the element naming its destination, and the binding field that keeps it. */
const DESTINATIONS = [
  { element: "TopicConfiguration", arn: "Topic", field: "topicArn" },
  { element: "QueueConfiguration", arn: "Queue", field: "queueArn" },
  { element: "CloudFunctionConfiguration", arn: "CloudFunction", field: "functionArn" },
] as const;

/** The destination ARN of a binding, whichever kind it is. */
export const destinationOf = (b: NotificationBinding): string => b.functionArn ?? b.queueArn ?? b.topicArn ?? "";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const many = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function text(o: Obj, name: string): string | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw malformedXml();
  return v.trim();
}

/** The Lambda bindings a PutBucketNotificationConfiguration body asks for (none clears them). */
export function parseNotificationXml(body: Buffer): NotificationBinding[] {
  const doc = parseXmlBody(body);
  const root = doc.NotificationConfiguration;
  if (root === "") return [];
  if (!isObj(root)) throw malformedXml();
  for (const name of Object.keys(root)) {
    if (name === "EventBridgeConfiguration") {
      throw invalidArgument(
        `Stratus delivers bucket events to functions, queues and topics: ${name} is not supported`,
        {
          name,
          value: "not supported",
        },
      );
    }
    if (!DESTINATIONS.some((d) => d.element === name) && name !== "xmlns") throw malformedXml();
  }
  const bindings = DESTINATIONS.flatMap((d) => many(root[d.element]).map((c) => parseBinding(c, d)));
  if (bindings.length > MAX_CONFIGURATIONS) {
    throw invalidArgument(`A bucket may hold at most ${MAX_CONFIGURATIONS} notification configurations`);
  }
  checkBindings(bindings);
  return bindings;
}

function parseBinding(c: unknown, d: (typeof DESTINATIONS)[number]): NotificationBinding {
  if (!isObj(c)) throw malformedXml();
  for (const name of Object.keys(c)) {
    if (!["Id", d.arn, "Event", "Filter"].includes(name)) throw malformedXml();
  }
  const arn = text(c, d.arn);
  if (!arn) throw malformedXml();
  const events = many(c.Event).map((e) => {
    if (typeof e !== "string") throw malformedXml();
    const event = e.trim();
    if (!S3_EVENT_TYPES.has(event)) {
      throw invalidArgument("The event is not supported for notifications", { name: "Event", value: event });
    }
    return event;
  });
  if (events.length === 0) throw malformedXml();
  const id = text(c, "Id") || Buffer.from(randomUUID()).toString("base64");
  if (id.length > 255) throw invalidArgument("The notification configuration Id is longer than 255 characters");
  return { id, [d.field]: arn, events: [...new Set(events)], ...parseFilter(c.Filter) };
}

function parseFilter(filter: unknown): { prefix?: string; suffix?: string } {
  if (filter === undefined || filter === "") return {};
  if (!isObj(filter) || Object.keys(filter).some((k) => k !== "S3Key")) throw malformedXml();
  const key = filter.S3Key;
  if (key === "") return {};
  if (!isObj(key) || Object.keys(key).some((k) => k !== "FilterRule")) throw malformedXml();
  const out: { prefix?: string; suffix?: string } = {};
  for (const rule of many(key.FilterRule)) {
    if (!isObj(rule)) throw malformedXml();
    const name = text(rule, "Name")?.toLowerCase();
    const value = typeof rule.Value === "string" ? rule.Value : undefined;
    if (name !== "prefix" && name !== "suffix") {
      throw invalidArgument("filter rule name must be either prefix or suffix", {
        name: "FilterRule",
        value: String(rule.Name ?? ""),
      });
    }
    if (value === undefined) throw malformedXml();
    if (out[name] !== undefined) throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`);
    if (value.length > MAX_FILTER_VALUE)
      throw invalidArgument(`The ${name} filter value is longer than 1024 characters`);
    if (value !== "") out[name] = value;
  }
  return out;
}

/** Two event types that some event matches both of. */
function shareEvent(a: string, b: string): boolean {
  if (a === b) return true;
  const base = (e: string) => (e.endsWith(":*") ? e.slice(0, -2) : undefined);
  return (
    (base(a) !== undefined && b.startsWith(`${base(a)}:`)) || (base(b) !== undefined && a.startsWith(`${base(b)}:`))
  );
}

const keysOverlap = (x?: string, y?: string, starts = true) =>
  !x || !y || (starts ? x.startsWith(y) || y.startsWith(x) : x.endsWith(y) || y.endsWith(x));

/** S3's rules across a bucket's configurations: unique ids, and no key two of them would both take for one event. */
export function checkBindings(bindings: NotificationBinding[]): void {
  const ids = new Set<string>();
  for (const [i, a] of bindings.entries()) {
    if (ids.has(a.id)) throw invalidArgument("Same ID used for multiple configurations", { name: "Id", value: a.id });
    ids.add(a.id);
    for (const b of bindings.slice(i + 1)) {
      if (
        a.events.some((e) => b.events.some((f) => shareEvent(e, f))) &&
        keysOverlap(a.prefix, b.prefix) &&
        keysOverlap(a.suffix, b.suffix, false)
      ) {
        throw invalidArgument(
          "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
        );
      }
    }
  }
}

/** GetBucketNotificationConfiguration's answer. */
export function notificationXml(bindings: NotificationBinding[]): string {
  const root = new XmlNode("NotificationConfiguration").addAttribute("xmlns", S3_NAMESPACE);
  for (const d of DESTINATIONS) {
    for (const b of bindings) if (b[d.field] !== undefined) root.c(bindingXml(b, d));
  }
  return xmlDocument(root);
}

function bindingXml(b: NotificationBinding, d: (typeof DESTINATIONS)[number]): XmlNode {
  const node = new XmlNode(d.element).c(textNode("Id", b.id));
  node.c(textNode(d.arn, b[d.field] as string));
  for (const e of b.events) node.c(textNode("Event", e));
  if (b.prefix !== undefined || b.suffix !== undefined) {
    const key = new XmlNode("S3Key");
    for (const [name, value] of [
      ["Prefix", b.prefix],
      ["Suffix", b.suffix],
    ] as const) {
      if (value !== undefined) key.c(new XmlNode("FilterRule").c(textNode("Name", name)).c(textNode("Value", value)));
    }
    node.c(new XmlNode("Filter").c(key));
  }
  return node;
}

/** Whether `binding` takes an event named `eventName` (no "s3:" prefix) on the object `key` (as stored). */
export function bindingMatches(binding: NotificationBinding, eventName: string, key: string): boolean {
  const named = `s3:${eventName}`;
  const wants = binding.events.some((e) => e === named || (e.endsWith(":*") && named.startsWith(e.slice(0, -1))));
  return (
    wants &&
    (binding.prefix === undefined || key.startsWith(binding.prefix)) &&
    (binding.suffix === undefined || key.endsWith(binding.suffix))
  );
}
