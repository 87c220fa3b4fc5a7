// What a subscriber receives of a published message, in SNS's shapes: the JSON
// envelope an SQS subscription gets as its message body (unless it asked for raw
// delivery; a FIFO topic's carries its SequenceNumber), and the record a Lambda subscription's function gets in `Records`.
// Stratus does not sign its messages: Signature, SigningCertURL and UnsubscribeURL
// are left out rather than filled with values nothing could verify or use.
import type { MessageAttribute } from "./sns-input.js";

export interface Published {
  messageId: string;
  topicArn: string;
  /** The message each protocol gets (MessageStructure json: its key, else `default`). */
  message: (protocol: string) => string;
  subject?: string;
  attributes: Record<string, MessageAttribute>;
  timestamp: Date;
  /** A FIFO topic's message: its group, deduplication id and the topic's sequence number for it. */
  fifo?: { groupId: string; dedupId: string; sequenceNumber: string };
}

/** The attributes as notifications carry them: {Type, Value}. */
function typedAttributes(
  attributes: Record<string, MessageAttribute>,
): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? "" };
  }
  return out;
}

/** The JSON body an SQS subscription without raw delivery gets (also what a dead-letter queue gets). */
export function envelope(p: Published, protocol: string): string {
  const hasAttributes = Object.keys(p.attributes).length > 0;
  return JSON.stringify({
    Type: "Notification",
    MessageId: p.messageId,
    ...(p.fifo ? { SequenceNumber: p.fifo.sequenceNumber } : {}),
    TopicArn: p.topicArn,
    ...(p.subject !== undefined ? { Subject: p.subject } : {}),
    Message: p.message(protocol),
    Timestamp: p.timestamp.toISOString(),
    ...(hasAttributes ? { MessageAttributes: typedAttributes(p.attributes) } : {}),
  });
}

/** The event a Lambda subscription's function is invoked with. */
export function lambdaEvent(p: Published, subscriptionArn: string): string {
  return JSON.stringify({
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: "Notification",
          MessageId: p.messageId,
          TopicArn: p.topicArn,
          Subject: p.subject ?? null,
          Message: p.message("lambda"),
          Timestamp: p.timestamp.toISOString(),
          MessageAttributes: typedAttributes(p.attributes),
        },
      },
    ],
  });
}
