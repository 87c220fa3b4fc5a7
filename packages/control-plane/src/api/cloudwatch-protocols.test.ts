import { cbor } from "@smithy/core/cbor";
import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { json, query, rpcCbor } from "./cloudwatch-protocols.js";

const at = new Date("2026-01-01T10:00:00Z");
const invalid = new StratusError("InvalidParameterValueException", 400, "client", "bad <Period> & more");

describe("awsQuery", () => {
  it("unflattens form fields into the operation's input", () => {
    const form =
      "Action=GetMetricData&Version=2010-08-01&StartTime=2026-01-01T10%3A00%3A00Z" +
      "&MetricDataQueries.member.1.Id=m1&MetricDataQueries.member.1.MetricStat.Period=60" +
      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=FunctionName" +
      "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=f" +
      "&MetricDataQueries.member.2.Id=m2&Statistics.member.1=Sum&Statistics.member.2=Maximum";
    expect(query.decode(Buffer.from(form))).toEqual({
      action: "GetMetricData",
      input: {
        StartTime: "2026-01-01T10:00:00Z",
        MetricDataQueries: [
          { Id: "m1", MetricStat: { Period: "60", Metric: { Dimensions: [{ Name: "FunctionName", Value: "f" }] } } },
          { Id: "m2" },
        ],
        Statistics: ["Sum", "Maximum"],
      },
    });
  });

  it.each([
    ["Statistics.member.1=Sum&Statistics.member.3=Max", /without gaps/],
    ["Statistics.member.0=Sum", /member index/],
    ["Statistics.member.99999=Sum", /member index/],
    ["__proto__.polluted=1", /not a parameter/],
    ["A=1&A.B=2", /conflicts/],
    ["Version=2011-01-01", /Version/],
  ])("refuses %s", (form, message) => {
    expect(() => query.decode(Buffer.from(form))).toThrow(message);
  });

  it("answers in XML with members, map entries, ISO timestamps and escaped text", () => {
    const out = query.encode(
      "GetMetricStatistics",
      { Label: "a<b", Datapoints: [{ Timestamp: at, Sum: 3, ExtendedStatistics: { p99: 1.5 } }] },
      "req-1",
    );
    const xml = out.body.toString();
    expect(xml).toContain('<GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">');
    expect(xml).toContain("<Label>a&lt;b</Label>");
    expect(xml).toContain(
      "<Datapoints><member><Timestamp>2026-01-01T10:00:00.000Z</Timestamp><Sum>3</Sum>" +
        "<ExtendedStatistics><entry><key>p99</key><value>1.5</value></entry></ExtendedStatistics></member></Datapoints>",
    );
    expect(xml).toContain("<RequestId>req-1</RequestId>");
  });

  it("writes errors with the query code and fault", () => {
    const out = query.error(invalid, "req-2");
    expect(out.status).toBe(400);
    expect(out.body.toString()).toContain(
      "<Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>bad &lt;Period&gt; &amp; more</Message></Error>",
    );
  });
});

describe("awsJson1_0", () => {
  it("writes timestamps as epoch seconds", () => {
    const out = json.encode({ Timestamps: [at] });
    expect(JSON.parse(out.body.toString())).toEqual({ Timestamps: [at.getTime() / 1000] });
  });

  it("writes errors with the shape name and the query code header", () => {
    const out = json.error(new StratusError("MissingRequiredParameterException", 400, "client", "m"));
    expect(JSON.parse(out.body.toString()).__type).toBe("com.amazonaws.cloudwatch#MissingRequiredParameterException");
    expect(out.headers["x-amzn-query-error"]).toBe("MissingParameter;Sender");
  });
});

describe("rpc-v2-cbor", () => {
  it("reads tag-1 timestamps as Dates and writes Dates back as tag 1", () => {
    const sent = cbor.serialize({ StartTime: { tag: 1, value: at.getTime() / 1000 }, Period: 60 });
    expect(rpcCbor.decode(Buffer.from(sent))).toEqual({ StartTime: at, Period: 60 });
    const out = rpcCbor.encode({ Timestamps: [at], Values: [1.5] });
    expect(out.headers["smithy-protocol"]).toBe("rpc-v2-cbor");
    const back = cbor.deserialize(new Uint8Array(out.body));
    expect(back.Timestamps[0]).toMatchObject({ tag: 1, value: at.getTime() / 1000 });
    expect(back.Values).toEqual([1.5]);
  });

  it("refuses a body that is not CBOR", () => {
    expect(() => rpcCbor.decode(Buffer.from([0xff, 0x00]))).toThrow(/not valid CBOR/);
  });

  it("writes errors as CBOR with the query code header", () => {
    const out = rpcCbor.error(invalid);
    expect(cbor.deserialize(new Uint8Array(out.body))).toEqual({
      __type: "com.amazonaws.cloudwatch#InvalidParameterValueException",
      message: "bad <Period> & more",
    });
    expect(out.headers["x-amzn-query-error"]).toBe("InvalidParameterValue;Sender");
  });
});
