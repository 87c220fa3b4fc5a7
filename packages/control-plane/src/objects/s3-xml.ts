// S3's restXml surface for the one resource Stratus serves of it (a bucket's
// notification configuration): its errors, written as S3 writes them
// (<Error><Code/><Message/><ArgumentName/>...</Error>), and XML in and out through
// @aws-sdk/xml-builder, the parser and writer the AWS SDK itself uses.
import type { ServerResponse } from "node:http";
import { parseXML, XmlNode } from "@aws-sdk/xml-builder";
import { StratusError } from "@stratus/shared";

export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** An S3 error; `argument` names the input at fault, as S3's ArgumentName / ArgumentValue. */
export class S3Error extends StratusError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly argument?: { name: string; value: string },
  ) {
    super(code, status, "client", message);
  }
}

export const malformedXml = () =>
  new S3Error(
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
  );

export const invalidArgument = (message: string, argument?: { name: string; value: string }) =>
  new S3Error("InvalidArgument", 400, message, argument);

/** The XML document `body` holds, as the SDK's parser reads it; MalformedXML when it is not one. */
export function parseXmlBody(body: Buffer): Record<string, unknown> {
  try {
    return parseXML(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw malformedXml();
  }
}

export function xmlDocument(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.toString()}`;
}

export const textNode = (name: string, text: string) => XmlNode.of(name, text);

/** Sends `err` as S3 does; anything but an S3 error or a client error is S3's InternalError without internals. */
export function sendS3Error(res: ServerResponse, err: unknown, requestId: string): void {
  const known =
    err instanceof S3Error || (err instanceof StratusError && err.status < 500)
      ? err
      : new S3Error("InternalError", 500, "We encountered an internal error. Please try again.");
  const root = new XmlNode("Error").c(textNode("Code", known.code)).c(textNode("Message", known.message));
  if (known instanceof S3Error && known.argument) {
    root.c(textNode("ArgumentName1", known.argument.name)).c(textNode("ArgumentValue1", known.argument.value));
  }
  root.c(textNode("RequestId", requestId)).c(textNode("HostId", requestId));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = known.status;
  res.setHeader("content-type", "application/xml");
  res.setHeader("x-amz-request-id", requestId);
  // A refusal sent before the body was read: the rest of it is not read either.
  if (!res.req.complete) res.setHeader("connection", "close");
  res.end(xmlDocument(root));
}
