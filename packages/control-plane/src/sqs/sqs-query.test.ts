import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { decodeQuery, encodeQuery, encodeQueryError } from "./sqs-query.js";

describe("decodeQuery", () => {
  it("reads flattened maps and lists into the JSON protocol's members", () => {
    const form = new URLSearchParams({
      Action: "SendMessageBatch",
      Version: "2012-11-05",
      QueueUrl: "http://h/123456789012/q",
      "SendMessageBatchRequestEntry.2.Id": "b",
      "SendMessageBatchRequestEntry.2.MessageBody": "two",
      "SendMessageBatchRequestEntry.1.Id": "a",
      "SendMessageBatchRequestEntry.1.MessageBody": "one",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "k",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "String",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "v",
    }).toString();
    expect(decodeQuery(form)).toEqual({
      action: "SendMessageBatch",
      input: {
        QueueUrl: "http://h/123456789012/q",
        Entries: [
          { Id: "a", MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          { Id: "b", MessageBody: "two" },
        ],
      },
    });
  });
  it("reads attribute maps, tags and name lists", () => {
    const form =
      "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5&Tag.1.Key=t&Tag.1.Value=x&AttributeName.1=All";
    expect(decodeQuery(form).input).toEqual({
      QueueName: "q",
      Attributes: { VisibilityTimeout: "5" },
      Tags: { t: "x" },
      AttributeNames: ["All"],
    });
  });
  it.each([
    ["a prototype key", "Action=X&__proto__.a=1"],
    ["a member index of 0", "Action=X&AttributeName.0=All"],
    ["a value that is also a structure", "Action=X&A=1&A.B=2"],
  ])("refuses %s", (_label, form) => {
    expect(() => decodeQuery(form)).toThrow(StratusError);
  });
});

describe("encodeQuery", () => {
  it("writes flattened lists, maps and result entries", () => {
    const xml = encodeQuery(
      "ReceiveMessage",
      {
        Messages: [
          {
            MessageId: "m",
            Body: "a<b>&\r\n",
            Attributes: { ApproximateReceiveCount: "1" },
            MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
          },
        ],
      },
      "rid",
    );
    expect(xml).toContain(
      "<ReceiveMessageResult><Message><MessageId>m</MessageId><Body>a&lt;b&gt;&amp;&#x0D;&#x0A;</Body>",
    );
    expect(xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(xml).toContain(
      "<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>",
    );
    expect(xml).toContain("<RequestId>rid</RequestId>");
    const batch = encodeQuery("DeleteMessageBatch", { Successful: [{ Id: "a" }], Failed: [] }, "r");
    expect(batch).toContain("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>");
  });
  it("writes errors with the query code", () => {
    const xml = encodeQueryError(new StratusError("QueueDoesNotExist", 400, "client", "gone"), "r");
    expect(xml).toContain(
      "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>gone</Message>",
    );
  });
});
