import type { S3Event as AwsS3Event } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { normaliseNotification } from "./normalise.js";
import { decodeKey, encodeKey } from "./s3-event.js";

/** What MinIO's webhook target posts (internal/event/target/webhook.go): the record wrapped with EventName and Key. */
const MINIO = {
  EventName: "s3:ObjectCreated:Put",
  Key: "photos/in/my cat (1).jpg",
  Records: [
    {
      eventVersion: "2.0",
      eventSource: "minio:s3",
      awsRegion: "",
      eventTime: "2019-10-22T09:27:27Z",
      eventName: "s3:ObjectCreated:Put",
      userIdentity: { principalId: "AKIAIOSFODNN7EXAMPLE" },
      requestParameters: { region: "", sourceIPAddress: "172.16.118.255", accessKey: "AKIAIOSFODNN7EXAMPLE" },
      responseElements: {
        "x-amz-request-id": "15CFEDF8D4736ED9",
        "x-minio-origin-endpoint": "http://172.17.0.2:9000",
        "x-minio-deployment-id": "0170a4cc-dca6-4e72-86f1-c0cc760dff7f",
      },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "Config",
        bucket: { name: "photos", ownerIdentity: { principalId: "AKIAIOSFODNN7EXAMPLE" }, arn: "arn:aws:s3:::photos" },
        object: {
          // Go's url.QueryEscape: '/' escaped, a space as '+'.
          key: "in%2Fmy+cat+%281%29.jpg",
          size: 224662,
          eTag: "5fc7298143efe1276d39a3466d4e255f-1",
          contentType: "image/jpeg",
          userMetadata: { "content-type": "image/jpeg" },
          versionId: "1",
          sequencer: "15CFEDF8D5304D1A",
        },
      },
      source: { host: "172.16.118.255", port: "", userAgent: "MinIO (linux; amd64) minio-go/v7" },
    },
  ],
};

/** Ceph RGW's event record (IBM Storage Ceph's documented example; rgw_pubsub.cc dumps the same fields). */
const CEPH = {
  Records: [
    {
      eventVersion: "2.2",
      eventSource: "ceph:s3",
      awsRegion: "zonegroup1",
      eventTime: "2019-11-22T13:47:35.124724Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "tester" },
      requestParameters: { sourceIPAddress: "" },
      responseElements: {
        "x-amz-request-id": "503a4c37-85eb-47cd-8681-2817e80b4281.5330.903595",
        "x-amz-id-2": "14d2-zone1-zonegroup1",
      },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "mynotif1",
        bucket: {
          name: "mybucket1",
          ownerIdentity: { principalId: "tester" },
          arn: "arn:aws:s3:zonegroup1::mybucket1",
          id: "503a4c37-85eb-47cd-8681-2817e80b4281.5332.38",
        },
        object: {
          key: "dir/my image+1.jpg",
          size: "1024",
          eTag: "37b51d194a7513e45b56f6524f2d51f2",
          versionId: "",
          sequencer: "F7E6D75DC742D108",
          metadata: [],
          tags: [],
        },
      },
      eventId: "1575221657.102001.80dad3aad8584778352c68ea8f2b7f49",
      opaqueData: "me@example.com",
    },
  ],
};

describe("normaliseNotification", () => {
  it("makes MinIO's webhook body AWS's S3 event record (golden)", () => {
    const [out] = normaliseNotification(MINIO, "us-east-1");
    expect(out?.key).toBe("in/my cat (1).jpg");
    const expected: AwsS3Event = {
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: "us-east-1",
          eventTime: "2019-10-22T09:27:27.000Z",
          eventName: "ObjectCreated:Put",
          userIdentity: { principalId: "AKIAIOSFODNN7EXAMPLE" },
          requestParameters: { sourceIPAddress: "172.16.118.255" },
          responseElements: { "x-amz-request-id": "15CFEDF8D4736ED9", "x-amz-id-2": "" },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: "Config",
            bucket: {
              name: "photos",
              ownerIdentity: { principalId: "AKIAIOSFODNN7EXAMPLE" },
              arn: "arn:aws:s3:::photos",
            },
            object: {
              key: "in/my+cat+%281%29.jpg",
              size: 224662,
              eTag: "5fc7298143efe1276d39a3466d4e255f-1",
              versionId: "1",
              sequencer: "15CFEDF8D5304D1A",
            },
          },
        },
      ],
    };
    expect({ Records: [out?.record] }).toEqual(expected);
  });

  it("makes Ceph's record AWS's: version, source, numeric size, region-less ARN, raw key encoded", () => {
    const [out] = normaliseNotification(CEPH, "us-east-1");
    expect(out?.key).toBe("dir/my image+1.jpg");
    const expected: AwsS3Event["Records"][number] = {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "zonegroup1",
      eventTime: "2019-11-22T13:47:35.124Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "tester" },
      requestParameters: { sourceIPAddress: "" },
      responseElements: {
        "x-amz-request-id": "503a4c37-85eb-47cd-8681-2817e80b4281.5330.903595",
        "x-amz-id-2": "14d2-zone1-zonegroup1",
      },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "mynotif1",
        bucket: { name: "mybucket1", ownerIdentity: { principalId: "tester" }, arn: "arn:aws:s3:::mybucket1" },
        object: {
          key: "dir/my+image%2B1.jpg",
          size: 1024,
          eTag: "37b51d194a7513e45b56f6524f2d51f2",
          sequencer: "F7E6D75DC742D108",
        },
      },
    };
    expect(out?.record).toEqual(expected);
  });

  it("leaves size and eTag out of a removal, as S3 does", () => {
    const removed = structuredClone(CEPH);
    const r = removed.Records[0] as (typeof CEPH.Records)[number];
    r.eventName = "ObjectRemoved:Delete";
    const [out] = normaliseNotification(removed, "us-east-1");
    expect(out?.record.s3.object).toEqual({ key: "dir/my+image%2B1.jpg", sequencer: "F7E6D75DC742D108" });
  });

  it.each([
    ["not an object", "x"],
    ["no Records", { EventName: "s3:ObjectCreated:Put" }],
    ["empty Records", { Records: [] }],
    [
      "a record without s3",
      { Records: [{ eventSource: "minio:s3", eventName: "s3:ObjectCreated:Put", eventTime: "2020-01-01T00:00:00Z" }] },
    ],
    ["a bad time", { Records: [{ ...CEPH.Records[0], eventTime: "yesterday" }] }],
    ["a bad name", { Records: [{ ...CEPH.Records[0], eventName: "ObjectCreated:Put; rm" }] }],
    [
      "a negative size",
      { Records: [{ ...CEPH.Records[0], s3: { ...CEPH.Records[0]?.s3, object: { key: "k", size: -1 } } }] },
    ],
    [
      "a key that is not URL encoding",
      { Records: [{ ...MINIO.Records[0], s3: { ...MINIO.Records[0]?.s3, object: { key: "%E0%A4%A" } } }] },
    ],
    [
      "a slash in the bucket name",
      { Records: [{ ...CEPH.Records[0], s3: { ...CEPH.Records[0]?.s3, bucket: { name: "a/b" } } }] },
    ],
  ])("refuses %s with InvalidRequestContentException", (_what, body) => {
    expect(() => normaliseNotification(body, "us-east-1")).toThrow(
      expect.objectContaining({ code: "InvalidRequestContentException", status: 400 }),
    );
  });
});

describe("S3's key encoding", () => {
  it.each([
    ["plain.txt", "plain.txt"],
    ["a b/c d.jpg", "a+b/c+d.jpg"],
    ["x+y=z&w", "x%2By%3Dz%26w"],
    ["ünï/😀", "%C3%BCn%C3%AF/%F0%9F%98%80"],
  ])("writes %j as %j and reads it back", (key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
    expect(decodeKey(encoded)).toBe(key);
  });
});
