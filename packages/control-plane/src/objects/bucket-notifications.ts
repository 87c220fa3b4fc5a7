// PutBucketNotificationConfiguration and GetBucketNotificationConfiguration for an
// account's buckets. As on S3, a configuration is refused whole unless every function
// it names exists and lets s3.amazonaws.com invoke it for this bucket (lambda
// add-permission --principal s3.amazonaws.com --source-arn arn:aws:s3:::<bucket>), and
// every queue and topic it names is a standard queue or a topic of the account (whose
// policies grant nothing in Stratus, so are not asked); with
// x-amz-skip-destination-validation it is stored unchecked, and delivery checks. As S3
// does, a queue or topic new to the bucket's configuration gets an s3:TestEvent message.

import { functionOfArn } from "../schedules/firing.js";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
import { serviceInvokeFault } from "../services/service-invoke.js";
import type { TopicRefs } from "../sns/topic-refs.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import type { NotificationBinding, ObjectEventStore } from "../store/object-event-store.js";
import { destinationOf, notificationXml, parseNotificationXml } from "./notification-config.js";
import { bucketArn } from "./s3-event.js";
import { invalidArgument, S3Error } from "./s3-xml.js";
import { testEvents } from "./test-events.js";

/** S3's bucket naming rules (general purpose buckets). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function checkBucketName(bucket: string): void {
  if (!BUCKET_NAME.test(bucket) || bucket.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw new S3Error("InvalidBucketName", 400, "The specified bucket is not valid.", {
      name: "BucketName",
      value: bucket.slice(0, 255),
    });
  }
}

export interface DeliveryCheck {
  functions: Pick<FunctionService, "get">;
  policies: Pick<PolicyService, "allows">;
  queues?: QueueRefs | undefined;
  topics?: TopicRefs | undefined;
  region: string;
}

/** Why S3 could not deliver `binding`'s events for `bucket` of `accountId`; undefined when it can. */
export async function bindingFault(
  deps: DeliveryCheck,
  accountId: string,
  bucket: string,
  binding: NotificationBinding,
): Promise<string | undefined> {
  if (binding.queueArn !== undefined) {
    return deps.queues ? deps.queues.fault(accountId, binding.queueArn) : "Stratus serves no SQS here";
  }
  if (binding.topicArn !== undefined) {
    return deps.topics ? deps.topics.fault(accountId, binding.topicArn) : "Stratus serves no SNS here";
  }
  return undeliverable(deps, accountId, bucket, binding.functionArn ?? "");
}

/** Why S3 could not invoke `binding`'s function for `bucket` of `accountId`; undefined when it can. */
export async function undeliverable(
  deps: DeliveryCheck,
  accountId: string,
  bucket: string,
  functionArn: string,
): Promise<string | undefined> {
  const fn = functionOfArn(functionArn);
  if (!fn || !functionArn.startsWith(`arn:aws:lambda:${deps.region}:`)) return "Not a function of this region";
  if (fn.accountId !== accountId) return "Stratus delivers bucket events to the bucket owner's functions only";
  const fault = await serviceInvokeFault(deps, accountId, fn, "s3.amazonaws.com", bucketArn(bucket));
  if (fault === "missing") return "The function does not exist";
  return fault && `Not authorized to invoke function [${functionArn}]`;
}

export function createBucketNotifications(store: ObjectEventStore, deps: DeliveryCheck) {
  return {
    async put(accountId: string, bucket: string, body: Buffer, skipValidation: boolean): Promise<void> {
      checkBucketName(bucket);
      const bindings: NotificationBinding[] = parseNotificationXml(body);
      if (!skipValidation) {
        for (const b of bindings) {
          const why = await bindingFault(deps, accountId, bucket, b);
          if (why) {
            throw invalidArgument("Unable to validate the following destination configurations", {
              name: destinationOf(b),
              value: why,
            });
          }
        }
      }
      const before = new Set((await store.getBindings(accountId, bucket)).map(destinationOf));
      await store.putBindings(accountId, bucket, bindings);
      const added = new Set(bindings.map(destinationOf).filter((arn) => !before.has(arn)));
      await store.accept(testEvents(accountId, bucket, [...added]));
    },
    async get(accountId: string, bucket: string): Promise<string> {
      checkBucketName(bucket);
      return notificationXml(await store.getBindings(accountId, bucket));
    },
  };
}

export type BucketNotifications = ReturnType<typeof createBucketNotifications>;
