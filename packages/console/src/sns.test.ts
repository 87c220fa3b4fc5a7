import { describe, expect, it } from "vitest";
import { queryError } from "./api.js";
import { addPermissionCommand, policyTarget, snsForm, snsStatementId, topicName, xmlValues } from "./sns.js";

const FN = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

describe("SNS from the console", () => {
  it("sends an action as a form, its parameters encoded", () => {
    expect(snsForm("Subscribe", { TopicArn: TOPIC, Endpoint: `${FN}:live` })).toBe(
      "Action=Subscribe&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts&Endpoint=arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Aorders%3Alive",
    );
  });

  it("reads the answer's values by element, unescaped", () => {
    const xml = `<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics>
      <member><TopicArn>${TOPIC}</TopicArn></member><member><TopicArn>${TOPIC}-2</TopicArn></member>
      </Topics><NextToken>a&amp;b&#61;</NextToken></ListTopicsResult></ListTopicsResponse>`;
    expect(xmlValues(xml, "TopicArn")).toEqual([TOPIC, `${TOPIC}-2`]);
    expect(xmlValues(xml, "NextToken")).toEqual(["a&b="]);
    expect(xmlValues(xml, "SubscriptionArn")).toEqual([]);
  });

  it("reads an awsQuery error's code and message", () => {
    const xml =
      "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic &quot;x&quot; does not exist</Message></Error></ErrorResponse>";
    expect(queryError(xml)).toEqual({ code: "NotFound", message: 'Topic "x" does not exist' });
    expect(queryError("not xml")).toEqual({ code: undefined, message: undefined });
  });

  it.each([
    [FN, { name: "orders" }],
    [`${FN}:$LATEST`, { name: "orders" }],
    [`${FN}:live`, { name: "orders", qualifier: "live" }],
    [`${FN}:7`, { name: "orders", qualifier: "7" }],
  ])("judges a delivery to %s by the policy of %o", (arn, target) => {
    expect(policyTarget(arn)).toEqual(target);
  });

  it("gives a topic's permission one statement ID, valid for Lambda and distinct per topic", () => {
    const id = snsStatementId(TOPIC);
    expect(id).toMatch(/^sns-alerts-[0-9a-f]{8}$/);
    expect(snsStatementId(TOPIC)).toBe(id);
    expect(snsStatementId(`${TOPIC}x`)).not.toBe(id);
    const long = (end: string) => `arn:aws:sns:us-east-1:123456789012:${"t".repeat(250)}${end}`;
    for (const arn of [long("aaaaaa"), long("bbbbbb"), `${TOPIC}.fifo`]) {
      expect(snsStatementId(arn)).toMatch(/^[A-Za-z0-9_-]{1,100}$/);
    }
    expect(snsStatementId(long("aaaaaa"))).not.toBe(snsStatementId(long("bbbbbb")));
    expect(topicName(TOPIC)).toBe("alerts");
  });

  it("says which AWS CLI command lets SNS invoke the function", () => {
    expect(addPermissionCommand(`${FN}:live`, TOPIC, "http://localhost:9000")).toBe(
      `aws --endpoint-url http://localhost:9000 lambda add-permission --function-name orders --qualifier live --statement-id ${snsStatementId(TOPIC)} --action lambda:InvokeFunction --principal sns.amazonaws.com --source-arn ${TOPIC}`,
    );
    expect(addPermissionCommand(FN, TOPIC, "http://h")).not.toContain("--qualifier");
  });
});
