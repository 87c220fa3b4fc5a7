import { describe, expect, it } from "vitest";
import { awsShapedNotification, regionOfArn } from "./queued-notification.js";

/** What MinIO's AMQP target publishes: the same body as its webhook's. */
const minio = {
  EventName: "s3:ObjectRemoved:Delete",
  Key: "bucket/a b.txt",
  Records: [
    {
      eventVersion: "2.0",
      eventSource: "minio:s3",
      awsRegion: "",
      eventTime: "2026-11-30T10:00:00Z",
      eventName: "s3:ObjectRemoved:Delete",
      s3: { bucket: { name: "bucket" }, object: { key: "a+b.txt", sequencer: "18A" } },
    },
  ],
};

describe("awsShapedNotification", () => {
  it("turns MinIO's message into AWS's S3 event, in the mapping's region", () => {
    const out = awsShapedNotification(Buffer.from(JSON.stringify(minio)), "eu-west-1");
    const event = JSON.parse(String(out));
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "eu-west-1",
      eventName: "ObjectRemoved:Delete",
      s3: { bucket: { arn: "arn:aws:s3:::bucket" }, object: { key: "a+b.txt", sequencer: "18A" } },
    });
  });

  it.each([
    ["plain text", "hello"],
    ["other JSON", '{"order": 7}'],
    ["an AWS-shaped event already", JSON.stringify({ Records: [{ ...minio.Records[0], eventSource: "aws:s3" }] })],
    ["a broken notification", JSON.stringify({ Records: [{ eventSource: "minio:s3" }] })],
  ])("leaves %s as it was sent", (_what, text) => {
    expect(awsShapedNotification(Buffer.from(text), "us-east-1")).toBeUndefined();
  });

  it("reads an ARN's region", () => {
    expect(regionOfArn("arn:aws:mq:eu-west-1:123456789012:broker:main:b-1")).toBe("eu-west-1");
    expect(regionOfArn("nonsense")).toBe("");
  });
});
