import { describe, expect, it } from "vitest";
import { sqsEvent, sqsFilterView, sqsRecord } from "./sqs-event.js";

const ARN = "arn:aws:sqs:us-east-1:123456789012:orders";

describe("SQS event", () => {
  it("builds Lambda's record, message attributes in Lambda's casing", () => {
    const r = sqsRecord(
      {
        MessageId: "m1",
        ReceiptHandle: "h1",
        Body: '{"a":1}',
        MD5OfBody: "md5",
        Attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: "1700000000000",
          SenderId: "AIDA",
          ApproximateFirstReceiveTimestamp: "1700000000001",
        },
        MessageAttributes: {
          s: { DataType: "String", StringValue: "v" },
          b: { DataType: "Binary", BinaryValue: Uint8Array.from([1, 2]) },
        },
      },
      ARN,
      "us-east-1",
    );
    expect(sqsEvent([r])).toEqual({
      Records: [
        {
          messageId: "m1",
          receiptHandle: "h1",
          body: '{"a":1}',
          attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: "1700000000000",
            SenderId: "AIDA",
            ApproximateFirstReceiveTimestamp: "1700000000001",
          },
          messageAttributes: {
            s: { stringValue: "v", stringListValues: [], binaryListValues: [], dataType: "String" },
            b: { binaryValue: "AQI=", stringListValues: [], binaryListValues: [], dataType: "Binary" },
          },
          md5OfBody: "md5",
          eventSource: "aws:sqs",
          eventSourceARN: ARN,
          awsRegion: "us-east-1",
        },
      ],
    });
    expect(sqsFilterView(r).body).toEqual({ a: 1 });
  });

  it("filters see a body that is not JSON as text", () => {
    const r = sqsRecord({ MessageId: "m", ReceiptHandle: "h", Body: "plain" }, ARN, "us-east-1");
    expect(sqsFilterView(r).body).toBe("plain");
  });
});
