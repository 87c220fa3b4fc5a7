import { describe, expect, it } from "vitest";
import type { NotificationBinding } from "../store/object-event-store.js";
import { bindingMatches, notificationXml, parseNotificationXml } from "./notification-config.js";

const FN = "arn:aws:lambda:us-east-1:111111111111:function:thumbs";

const xml = (inner: string) =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</NotificationConfiguration>`,
  );

const config = (events: string[], filter = "", id = "") =>
  `<CloudFunctionConfiguration>${id ? `<Id>${id}</Id>` : ""}<CloudFunction>${FN}</CloudFunction>${events
    .map((e) => `<Event>${e}</Event>`)
    .join("")}${filter}</CloudFunctionConfiguration>`;

const rules = (...r: Array<[string, string]>) =>
  `<Filter><S3Key>${r.map(([n, v]) => `<FilterRule><Name>${n}</Name><Value>${v}</Value></FilterRule>`).join("")}</S3Key></Filter>`;

describe("parseNotificationXml", () => {
  it("reads queue and topic configurations beside functions, and writes them back in S3's order", () => {
    const body = xml(
      `${config(["s3:ObjectCreated:*"], rules(["prefix", "in/"]), "fn")}` +
        "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:111111111111:jobs</Queue><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>" +
        `<TopicConfiguration><Id>t</Id><Topic>arn:aws:sns:us-east-1:111111111111:news</Topic><Event>s3:ObjectCreated:Put</Event>${rules(["prefix", "out/"], ["suffix", ".png"])}</TopicConfiguration>`,
    );
    const bindings = parseNotificationXml(body);
    expect(bindings.map((b) => [b.id, b.functionArn ?? b.queueArn ?? b.topicArn])).toEqual([
      ["t", "arn:aws:sns:us-east-1:111111111111:news"],
      ["q", "arn:aws:sqs:us-east-1:111111111111:jobs"],
      ["fn", FN],
    ]);
    const written = notificationXml(bindings);
    expect(written.indexOf("<TopicConfiguration>")).toBeLessThan(written.indexOf("<QueueConfiguration>"));
    expect(parseNotificationXml(Buffer.from(written))).toEqual(bindings);
  });

  it("reads configurations as the SDK and the CLI send them, and writes them back", () => {
    const bindings = parseNotificationXml(
      xml(
        config(["s3:ObjectCreated:*"], rules(["prefix", "in/"], ["Suffix", ".jpg"]), "thumbs") +
          config(["s3:ObjectRemoved:Delete"], "", "gone"),
      ),
    );
    expect(bindings).toEqual([
      { id: "thumbs", functionArn: FN, events: ["s3:ObjectCreated:*"], prefix: "in/", suffix: ".jpg" },
      { id: "gone", functionArn: FN, events: ["s3:ObjectRemoved:Delete"] },
    ]);
    expect(parseNotificationXml(Buffer.from(notificationXml(bindings)))).toEqual(bindings);
    expect(notificationXml(bindings)).toContain("<Name>Prefix</Name><Value>in/</Value>");
  });

  it("gives a configuration without an Id one, and clears with an empty document", () => {
    const [b] = parseNotificationXml(xml(config(["s3:ObjectCreated:Put"])));
    expect(b?.id).toMatch(/^[A-Za-z0-9+/=]{8,}$/);
    expect(parseNotificationXml(xml(""))).toEqual([]);
    expect(parseNotificationXml(Buffer.from("<NotificationConfiguration/>"))).toEqual([]);
  });

  it.each([
    ["not XML", Buffer.from("{}"), "MalformedXML"],
    ["another root's children", xml("<Foo/>"), "MalformedXML"],
    [
      "no function",
      xml("<CloudFunctionConfiguration><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>"),
      "MalformedXML",
    ],
    [
      "no event",
      xml(`<CloudFunctionConfiguration><CloudFunction>${FN}</CloudFunction></CloudFunctionConfiguration>`),
      "MalformedXML",
    ],
    ["an unknown event", xml(config(["s3:ObjectAccessed:Get"])), "InvalidArgument"],
    ["an EventBridge configuration", xml("<EventBridgeConfiguration></EventBridgeConfiguration>"), "InvalidArgument"],
    [
      "a queue configuration without its queue",
      xml("<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"),
      "MalformedXML",
    ],
    [
      "a function element in a topic configuration",
      xml(
        `<TopicConfiguration><CloudFunction>${FN}</CloudFunction><Event>s3:ObjectCreated:*</Event></TopicConfiguration>`,
      ),
      "MalformedXML",
    ],
    ["two prefixes", xml(config(["s3:ObjectCreated:*"], rules(["prefix", "a"], ["prefix", "b"]))), "InvalidArgument"],
    [
      "a rule other than prefix or suffix",
      xml(config(["s3:ObjectCreated:*"], rules(["regex", "a.*"]))),
      "InvalidArgument",
    ],
    [
      "the same id twice",
      xml(config(["s3:ObjectCreated:*"], "", "x") + config(["s3:ObjectRemoved:*"], "", "x")),
      "InvalidArgument",
    ],
  ])("refuses %s", (_what, body, code) => {
    expect(() => parseNotificationXml(body)).toThrow(expect.objectContaining({ code, status: 400 }));
  });

  it.each([
    ["a wildcard and one of its events, no filters", ["s3:ObjectCreated:*"], "", ["s3:ObjectCreated:Put"], "", true],
    [
      "the same event, nested prefixes",
      ["s3:ObjectCreated:Put"],
      rules(["prefix", "a/"]),
      ["s3:ObjectCreated:Put"],
      rules(["prefix", "a/b/"]),
      true,
    ],
    [
      "the same event, disjoint prefixes",
      ["s3:ObjectCreated:Put"],
      rules(["prefix", "a/"]),
      ["s3:ObjectCreated:Put"],
      rules(["prefix", "b/"]),
      false,
    ],
    [
      "the same event, disjoint suffixes",
      ["s3:ObjectCreated:*"],
      rules(["suffix", ".jpg"]),
      ["s3:ObjectCreated:*"],
      rules(["suffix", ".png"]),
      false,
    ],
    ["different events", ["s3:ObjectCreated:*"], "", ["s3:ObjectRemoved:*"], "", false],
  ])("overlap of %s: refused = %s", (_what, e1, f1, e2, f2, refused) => {
    const body = xml(config(e1, f1, "one") + config(e2, f2, "two"));
    if (refused) {
      expect(() => parseNotificationXml(body)).toThrow(/Configurations overlap/);
    } else {
      expect(parseNotificationXml(body)).toHaveLength(2);
    }
  });
});

describe("bindingMatches", () => {
  const b: NotificationBinding = {
    id: "x",
    functionArn: FN,
    events: ["s3:ObjectCreated:*"],
    prefix: "in/",
    suffix: ".jpg",
  };
  it.each([
    ["ObjectCreated:Put", "in/cat.jpg", true],
    ["ObjectCreated:CompleteMultipartUpload", "in/a/b.jpg", true],
    ["ObjectRemoved:Delete", "in/cat.jpg", false],
    ["ObjectCreated:Put", "out/cat.jpg", false],
    ["ObjectCreated:Put", "in/cat.png", false],
    ["ObjectCreatedX:Put", "in/cat.jpg", false],
  ])("%s on %s: %s", (event, key, want) => {
    expect(bindingMatches(b, event, key)).toBe(want);
  });
  it("takes exact event names", () => {
    const exact: NotificationBinding = { id: "y", functionArn: FN, events: ["s3:ObjectRemoved:Delete"] };
    expect(bindingMatches(exact, "ObjectRemoved:Delete", "k")).toBe(true);
    expect(bindingMatches(exact, "ObjectRemoved:DeleteMarkerCreated", "k")).toBe(false);
  });
});
