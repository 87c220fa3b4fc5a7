// The three wire protocols CloudWatch clients speak, each as a codec over one
// operation model (plain objects, Dates for timestamps): awsJson1_0 (the AWS CLI v1,
// the JS SDK v3), Smithy RPC v2 CBOR (the Go SDK v2, so Grafana; @smithy/core's CBOR
// codec) and awsQuery (older CLIs and SDKs: form fields in, XML out, written with
// @aws-sdk/xml-builder). CloudWatch is awsQueryCompatible: the JSON and CBOR errors
// carry the awsQuery error code in x-amzn-query-error.
import { XmlNode } from "@aws-sdk/xml-builder";
import { cbor, dateToTag } from "@smithy/core/cbor";
import { StratusError } from "@stratus/shared";

export const XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";
export const SERVICE_TARGET = "GraniteServiceVersion20100801";
const SHAPE_PREFIX = "com.amazonaws.cloudwatch#";

export type Model = Record<string, unknown>;

export interface Encoded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Error shapes by the code awsQuery gives them (CloudWatch's model: a shape's `error.code`). */
const QUERY_CODES: Record<string, string> = {
  InvalidParameterValueException: "InvalidParameterValue",
  MissingRequiredParameterException: "MissingParameter",
  InvalidParameterCombinationException: "InvalidParameterCombination",
  InternalServiceFault: "InternalServiceError",
  AccessDeniedException: "AccessDenied",
  LimitExceededFault: "LimitExceeded",
  InvalidFormatFault: "InvalidFormat",
};

const queryCode = (err: StratusError) => QUERY_CODES[err.code] ?? err.code;
const fault = (err: StratusError) => (err.status >= 500 ? "Receiver" : "Sender");

const serialization = (message: string) => new StratusError("SerializationException", 400, "client", message);

/** Replaces each node `from` matches by `to`'s answer, in a fresh tree (`Object.create(null)` objects in). */
function mapTree(v: unknown, swap: (v: unknown) => unknown | undefined, depth = 0): unknown {
  if (depth > 32) throw serialization("The request nests too deeply");
  const swapped = swap(v);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(v)) return v.map((x) => mapTree(x, swap, depth + 1));
  if (typeof v === "object" && v !== null && !(v instanceof Date) && !ArrayBuffer.isView(v)) {
    const out: Model = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = mapTree(x, swap, depth + 1);
    return out;
  }
  return v;
}

function asModel(v: unknown): Model {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw serialization("The request body must be a structure");
  return v as Model;
}

export const json = {
  contentType: "application/x-amz-json-1.0",
  decode(body: Buffer, parse: (b: Buffer) => unknown): Model {
    return body.length === 0 ? {} : asModel(parse(body));
  },
  encode(out: Model): Encoded {
    // awsJson writes timestamps as epoch seconds (JSON.stringify would write ISO text).
    const body = JSON.stringify(mapTree(out, (v) => (v instanceof Date ? v.getTime() / 1000 : undefined)));
    return { status: 200, headers: { "content-type": this.contentType }, body: Buffer.from(body) };
  },
  error(err: StratusError): Encoded {
    const body = JSON.stringify({ __type: `${SHAPE_PREFIX}${err.code}`, message: err.message });
    return {
      status: err.status,
      headers: {
        "content-type": this.contentType,
        "x-amzn-query-error": `${queryCode(err)};${fault(err)}`,
      },
      body: Buffer.from(body),
    };
  },
};

export const rpcCbor = {
  contentType: "application/cbor",
  decode(body: Buffer): Model {
    if (body.length === 0) return {};
    let decoded: unknown;
    try {
      decoded = cbor.deserialize(new Uint8Array(body.buffer, body.byteOffset, body.length));
    } catch (err) {
      throw serialization(`The request body is not valid CBOR: ${(err as Error).message}`);
    }
    // Timestamps come as tag 1 (epoch seconds).
    const isTime = (v: unknown): v is { tag: number; value: unknown } =>
      typeof v === "object" && v !== null && (v as { tag?: unknown }).tag === 1 && "value" in v;
    return asModel(
      mapTree(decoded, (v) => (isTime(v) && typeof v.value === "number" ? new Date(v.value * 1000) : undefined)),
    );
  },
  encode(out: Model, status = 200): Encoded {
    const tree = mapTree(out, (v) => (v instanceof Date ? dateToTag(v) : undefined));
    return {
      status,
      headers: { "content-type": this.contentType, "smithy-protocol": "rpc-v2-cbor" },
      body: Buffer.from(cbor.serialize(tree)),
    };
  },
  error(err: StratusError): Encoded {
    const out = this.encode({ __type: `${SHAPE_PREFIX}${err.code}`, message: err.message }, err.status);
    out.headers["x-amzn-query-error"] = `${queryCode(err)};${fault(err)}`;
    return out;
  },
};

/** Members that are maps in CloudWatch's model (entry/key/value in XML); the rest are structures. */
const MAP_MEMBERS: ReadonlySet<string> = new Set(["ExtendedStatistics"]);
const MAX_MEMBER = 1_000;

function xmlValue(name: string, v: unknown, maps: ReadonlySet<string>): XmlNode {
  if (v instanceof Date) return XmlNode.of(name, v.toISOString());
  if (Array.isArray(v))
    return new XmlNode(
      name,
      v.map((x) => xmlValue("member", x, maps)),
    );
  if (typeof v === "object" && v !== null) {
    const node = new XmlNode(name);
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (maps.has(k)) {
        const map = new XmlNode(k);
        for (const [key, value] of Object.entries(x as Model)) {
          map.addChildNode(new XmlNode("entry", [XmlNode.of("key", key), xmlValue("value", value, maps)]));
        }
        node.addChildNode(map);
      } else node.addChildNode(xmlValue(k, x, maps));
    }
    return node;
  }
  return XmlNode.of(name, String(v));
}

/**
 * awsQuery for the service whose XML namespace and API version are given (CloudWatch's:
 * `query`); `maps`: the output members its model makes maps.
 */
export const queryCodec = (namespace: string, apiVersion: string, maps: ReadonlySet<string> = MAP_MEMBERS) => ({
  contentType: "text/xml",
  /** The operation and its input from a form body: `A.member.1.B=v` becomes `{A: [{B: "v"}]}`. */
  decode(body: Buffer): { action: string; input: Model } {
    const params = new URLSearchParams(body.toString("utf8"));
    const action = params.get("Action") ?? "";
    const version = params.get("Version");
    if (version !== null && version !== apiVersion) {
      throw new StratusError(
        "InvalidParameterValueException",
        400,
        "client",
        `Version ${version.slice(0, 20)} is not ${apiVersion}`,
      );
    }
    const root: Model = {};
    for (const [key, value] of params) {
      if (key === "Action" || key === "Version") continue;
      let node: Model | unknown[] = root;
      const parts = key.split(".");
      for (let i = 0; i < parts.length; i++) {
        let seg: string | number = parts[i] as string;
        if (seg === "member") {
          const n = Number(parts[++i]);
          if (!Number.isInteger(n) || n < 1 || n > MAX_MEMBER)
            throw serialization(`${key.slice(0, 100)}: bad member index`);
          seg = n - 1;
        } else if (seg === "__proto__" || seg === "constructor" || seg === "prototype") {
          throw serialization(`${key.slice(0, 100)} is not a parameter`);
        }
        const last = i === parts.length - 1;
        const container = node as Record<string | number, unknown>;
        if (last) {
          container[seg] = value;
        } else {
          if (container[seg] === undefined) container[seg] = parts[i + 1] === "member" ? [] : {};
          const child = container[seg];
          if (typeof child !== "object" || child === null)
            throw serialization(`${key.slice(0, 100)} conflicts with another parameter`);
          node = child as Model | unknown[];
        }
      }
    }
    // An empty list is sent as `Name=` alone.
    return {
      action,
      input: mapTree(root, (v) => (Array.isArray(v) && v.includes(undefined) ? gap() : undefined)) as Model,
    };
  },
  encode(action: string, out: Model, requestId: string): Encoded {
    const response = new XmlNode(`${action}Response`)
      .addAttribute("xmlns", namespace)
      .addChildNode(xmlValue(`${action}Result`, out, maps))
      .addChildNode(new XmlNode("ResponseMetadata", [XmlNode.of("RequestId", requestId)]));
    return { status: 200, headers: { "content-type": this.contentType }, body: Buffer.from(response.toString()) };
  },
  error(err: StratusError, requestId: string): Encoded {
    const response = new XmlNode("ErrorResponse")
      .addAttribute("xmlns", namespace)
      .addChildNode(
        new XmlNode("Error", [
          XmlNode.of("Type", fault(err)),
          XmlNode.of("Code", queryCode(err)),
          XmlNode.of("Message", err.message),
        ]),
      )
      .addChildNode(XmlNode.of("RequestId", requestId));
    return {
      status: err.status,
      headers: { "content-type": this.contentType },
      body: Buffer.from(response.toString()),
    };
  },
});

export const query = queryCodec(XML_NAMESPACE, "2010-08-01");

function gap(): never {
  throw serialization("List members must be numbered from 1 without gaps");
}
