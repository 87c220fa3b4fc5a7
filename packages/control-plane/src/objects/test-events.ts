// The s3:TestEvent message S3 sends a queue or topic when a bucket's notification
// configuration first names it, so its owner can see the wiring works.
import { randomUUID } from "node:crypto";
import type { Deliveries } from "../schedules/targets.js";
import { parseTopicArn } from "../sns/sns-names.js";
import { queueLetter } from "../sqs/dead-letters.js";

/** SNS subject of S3's notifications. */
export const S3_SUBJECT = "Amazon S3 Notification";

/** The deliveries of the test event to each queue or topic ARN in `arns` (functions get none). */
export function testEvents(
  accountId: string,
  bucket: string,
  arns: string[],
): Pick<Deliveries, "invocations" | "letters" | "publishes"> {
  const out: Pick<Deliveries, "invocations" | "letters" | "publishes"> = {
    invocations: [],
    letters: [],
    publishes: [],
  };
  const message = (requestId: string) =>
    JSON.stringify({
      Service: "Amazon S3",
      Event: "s3:TestEvent",
      Time: new Date().toISOString(),
      Bucket: bucket,
      RequestId: requestId,
      HostId: Buffer.from(requestId).toString("base64"),
    });
  for (const arn of arns) {
    const id = randomUUID();
    if (parseTopicArn(arn)) {
      out.publishes?.push({ id, accountId, topicArn: arn, subject: S3_SUBJECT, message: message(id) });
      continue;
    }
    const letter = arn.startsWith("arn:aws:sqs:") ? queueLetter(accountId, arn, message(id), {}) : undefined;
    if (letter) out.letters.push({ letter });
  }
  return out;
}
