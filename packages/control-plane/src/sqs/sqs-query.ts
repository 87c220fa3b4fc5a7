// SQS's awsQuery protocol (form fields in, XML out), which older CLIs and SDKs speak:
// the form's flattened lists and maps (`Attribute.1.Name`, `MessageAttribute.1.Value.
// StringValue`, `SendMessageBatchRequestEntry.1.Id`) are read into the members the
// JSON protocol carries, and each operation's output is written back as SQS's XML
// (flattened lists, maps as Name/Value or Key/Value pairs).
import { XmlNode } from "@aws-sdk/xml-builder";
import type { StratusError } from "@stratus/shared";
import { isObject, type Model } from "./params.js";
import { queryCode, sqsErrors } from "./sqs-errors.js";

export const XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
const MAX_INDEX = 1_000;

/** Flattened form lists and their JSON member names. */
const LISTS: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  TagKey: "TagKeys",
  SendMessageBatchRequestEntry: "Entries",
  DeleteMessageBatchRequestEntry: "Entries",
  ChangeMessageVisibilityBatchRequestEntry: "Entries",
};

/** Flattened form maps: JSON member name, key and value fields. */
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ["Attributes", "Name", "Value"],
  MessageAttribute: ["MessageAttributes", "Name", "Value"],
  Tag: ["Tags", "Key", "Value"],
};

const malformed = (key: string) => sqsErrors.invalidParameter(`Malformed parameter ${key.slice(0, 100)}`);

/** `{A: {"1": x, "2": y}}` trees, with numbered children, made into the JSON protocol's members. */
function shape(node: unknown, depth = 0): unknown {
  if (depth > 8 || !isObject(node)) return node;
  const out: Model = {};
  for (const [key, child] of Object.entries(node)) {
    const list = LISTS[key];
    const map = MAPS[key];
    if (!list && !map) {
      out[key] = shape(child, depth + 1);
      continue;
    }
    if (!isObject(child)) throw malformed(key);
    const items = Object.keys(child)
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => shape(child[String(i)], depth + 1));
    if (list) out[list] = items;
    else if (map) {
      const [name, k, v] = map;
      const m: Model = {};
      for (const item of items) {
        if (!isObject(item) || typeof item[k] !== "string") throw malformed(key);
        m[item[k] as string] = item[v];
      }
      out[name] = m;
    }
  }
  return out;
}

/** The operation and its input (JSON protocol members) from a form body. */
export function decodeQuery(form: string): { action: string; input: Model } {
  const params = new URLSearchParams(form);
  const root: Model = Object.create(null);
  for (const [key, value] of params) {
    if (key === "Action" || key === "Version") continue;
    const parts = key.split(".");
    let node = root;
    for (let i = 0; i < parts.length; i++) {
      const seg = parts[i] as string;
      if (seg === "" || seg === "__proto__" || seg === "constructor" || seg === "prototype") throw malformed(key);
      if (/^\d+$/.test(seg) && (Number(seg) < 1 || Number(seg) > MAX_INDEX)) throw malformed(key);
      if (i === parts.length - 1) {
        if (node[seg] !== undefined) throw malformed(key);
        node[seg] = value;
      } else {
        if (node[seg] === undefined) node[seg] = Object.create(null);
        const next = node[seg];
        if (!isObject(next)) throw malformed(key);
        node = next;
      }
    }
  }
  return { action: params.get("Action") ?? "", input: shape(root) as Model };
}

/** Output members written as flattened elements, by JSON member name. */
const FLAT_LISTS: Record<string, string> = {
  QueueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
};
const RESULT_ENTRIES: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchResultEntry",
  DeleteMessageBatch: "DeleteMessageBatchResultEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchResultEntry",
};

function valueNode(name: string, v: unknown): XmlNode {
  if (isObject(v)) {
    const node = new XmlNode(name);
    for (const [k, x] of Object.entries(v)) if (x !== undefined) node.addChildNode(valueNode(k, x));
    return node;
  }
  return XmlNode.of(name, String(v));
}

function members(node: XmlNode, out: Model, action: string): void {
  for (const [key, v] of Object.entries(out)) {
    if (v === undefined) continue;
    const map = Object.entries(MAPS).find(([, [json]]) => json === key);
    if (map && isObject(v)) {
      const [element, [, k, val]] = map;
      for (const [name, x] of Object.entries(v)) {
        node.addChildNode(new XmlNode(element, [XmlNode.of(k, name), valueNode(val, x)]));
      }
      continue;
    }
    const flat = key === "Successful" ? RESULT_ENTRIES[action] : FLAT_LISTS[key];
    if (flat && Array.isArray(v)) {
      for (const item of v) {
        if (isObject(item)) {
          const child = new XmlNode(flat);
          members(child, item, action);
          node.addChildNode(child);
        } else node.addChildNode(XmlNode.of(flat, String(item)));
      }
      continue;
    }
    node.addChildNode(valueNode(key, v));
  }
}

export function encodeQuery(action: string, out: Model, requestId: string): string {
  const response = new XmlNode(`${action}Response`).addAttribute("xmlns", XML_NAMESPACE);
  const result = new XmlNode(`${action}Result`);
  members(result, out, action);
  if (Object.keys(out).length > 0) response.addChildNode(result);
  response.addChildNode(new XmlNode("ResponseMetadata", [XmlNode.of("RequestId", requestId)]));
  return `<?xml version="1.0"?>${response.toString()}`;
}

export function encodeQueryError(err: StratusError, requestId: string): string {
  return `<?xml version="1.0"?>${new XmlNode("ErrorResponse")
    .addAttribute("xmlns", XML_NAMESPACE)
    .addChildNode(
      new XmlNode("Error", [
        XmlNode.of("Type", err.status >= 500 ? "Receiver" : "Sender"),
        XmlNode.of("Code", queryCode(err)),
        XmlNode.of("Message", err.message),
        new XmlNode("Detail"),
      ]),
    )
    .addChildNode(XmlNode.of("RequestId", requestId))
    .toString()}`;
}
