// Lambda's SQS event, built from received messages:
// {Records:[{messageId, receiptHandle, body, attributes{ApproximateReceiveCount,
//   SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, ...}, messageAttributes,
//   md5OfBody, eventSource:"aws:sqs", eventSourceARN, awsRegion}]}
// Message attributes in Lambda's casing: {stringValue, binaryValue (base64),
// stringListValues, binaryListValues, dataType}.
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";

function attributeValue(v: MessageAttributeValue) {
  return {
    ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
    ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") } : {}),
    stringListValues: v.StringListValues ?? [],
    binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
    dataType: v.DataType ?? "String",
  };
}

export type SqsEventRecord = ReturnType<typeof sqsRecord>;

export function sqsRecord(m: Message, eventSourceArn: string, region: string) {
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: { ...(m.Attributes ?? {}) } as Record<string, string>,
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, attributeValue(v)]),
    ),
    md5OfBody: m.MD5OfBody ?? "",
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: eventSourceArn,
    awsRegion: region,
  };
}

export const sqsEvent = (records: readonly SqsEventRecord[]) => ({ Records: records });

/** What FilterCriteria sees of a message: the record, with `body` parsed when it is JSON (as Lambda does). */
export function sqsFilterView(r: SqsEventRecord): Record<string, unknown> {
  let body: unknown = r.body;
  try {
    body = JSON.parse(r.body);
  } catch {
    // not JSON: patterns on body see the plain text
  }
  return { ...r, body };
}
