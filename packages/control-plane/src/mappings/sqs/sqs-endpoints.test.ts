import { describe, expect, it } from "vitest";
import { parseSqsArn, parseSqsEndpoints, resolveSqsEndpoint } from "./sqs-endpoints.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:sqs-creds";

describe("SQS endpoints", () => {
  const entries = parseSqsEndpoints(
    JSON.stringify([
      { Region: "*", Account: "*", Url: "http://default:9324/" },
      { Region: "eu-west-1", Account: "*", Url: "http://eu:9324" },
      { Region: "*", Account: "222222222222", Url: "http://team:9324", AccessKeyId: "k", SecretAccessKey: "s" },
      { Region: "eu-west-1", Account: "222222222222", Url: "https://team-eu", CredentialsSecretArn: SECRET },
    ]),
  );

  it.each([
    ["us-east-1", "333333333333", "http://default:9324", "none"],
    ["eu-west-1", "333333333333", "http://eu:9324", "none"],
    ["us-east-1", "222222222222", "http://team:9324", "static"],
    ["eu-west-1", "222222222222", "https://team-eu", "secret"],
  ])("resolves %s %s to the most specific entry", (region, account, url, kind) => {
    const e = resolveSqsEndpoint(entries, region, account);
    expect(e?.url).toBe(url);
    expect(e?.credentials.kind).toBe(kind);
  });

  it("reads the secret's account from its ARN", () => {
    expect(resolveSqsEndpoint(entries, "eu-west-1", "222222222222")?.credentials).toEqual({
      kind: "secret",
      accountId: "111111111111",
      secretArn: SECRET,
    });
  });

  it("has no endpoint when nothing matches", () => {
    expect(resolveSqsEndpoint(parseSqsEndpoints(undefined), "us-east-1", "123456789012")).toBeUndefined();
  });

  it.each([
    ["not JSON", "{", /JSON array/],
    ["a bad url", '[{"Region":"*","Account":"*","Url":"ftp://x"}]', /Url/],
    ["a bad account", '[{"Region":"*","Account":"12","Url":"http://x"}]', /Account/],
    ["half a key", '[{"Region":"*","Account":"*","Url":"http://x","AccessKeyId":"k"}]', /go together/],
    ["an unknown field", '[{"Region":"*","Account":"*","Url":"http://x","Nope":1}]', /Nope|Unrecognized/],
    [
      "a twice-named pair",
      '[{"Region":"*","Account":"*","Url":"http://x"},{"Region":"*","Account":"*","Url":"http://y"}]',
      /twice/,
    ],
  ])("refuses %s", (_what, text, message) => {
    expect(() => parseSqsEndpoints(text)).toThrow(message);
  });

  it.each([
    [
      "arn:aws:sqs:us-east-1:123456789012:orders",
      { region: "us-east-1", accountId: "123456789012", queueName: "orders" },
    ],
    [
      "arn:aws:sqs:eu-west-1:123456789012:o.fifo",
      { region: "eu-west-1", accountId: "123456789012", queueName: "o.fifo" },
    ],
    ["arn:aws:sqs:us-east-1:123:orders", undefined],
    ["arn:aws:sqs:us-east-1:123456789012:bad name", undefined],
  ])("parses %s", (arn, expected) => {
    expect(parseSqsArn(arn)).toEqual(expected);
  });
});
