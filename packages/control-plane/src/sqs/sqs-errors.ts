// SQS's errors. Each StratusError's code is the shape name of SQS's JSON model
// (awsJson1_0's `__type`); QUERY_CODES gives the code the awsQuery protocol, and the
// JSON protocol's x-amzn-query-error header, carry for it.
import { StratusError } from "@stratus/shared";

/** The awsQuery code of each JSON error shape whose codes differ. */
export const QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: "AWS.SimpleQueueService.NonExistentQueue",
  QueueNameExists: "QueueAlreadyExists",
  TooManyEntriesInBatchRequest: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
  EmptyBatchRequest: "AWS.SimpleQueueService.EmptyBatchRequest",
  BatchEntryIdsNotDistinct: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
  InvalidBatchEntryId: "AWS.SimpleQueueService.InvalidBatchEntryId",
  BatchRequestTooLong: "AWS.SimpleQueueService.BatchRequestTooLong",
  PurgeQueueInProgress: "AWS.SimpleQueueService.PurgeQueueInProgress",
  MessageNotInflight: "AWS.SimpleQueueService.MessageNotInflight",
  UnsupportedOperation: "AWS.SimpleQueueService.UnsupportedOperation",
  InvalidAction: "InvalidAction",
};

export const queryCode = (err: StratusError) => QUERY_CODES[err.code] ?? err.code;

const sender = (code: string) => (message: string) => new StratusError(code, 400, "client", message);

export const sqsErrors = {
  noQueue: () =>
    new StratusError("QueueDoesNotExist", 400, "client", "The specified queue does not exist for this wsdl version."),
  queueExists: sender("QueueNameExists"),
  invalidParameter: sender("InvalidParameterValue"),
  missingParameter: (name: string) =>
    new StratusError("MissingParameter", 400, "client", `The request must contain the parameter ${name}.`),
  invalidAttributeName: sender("InvalidAttributeName"),
  invalidAttributeValue: sender("InvalidAttributeValue"),
  invalidReceiptHandle: sender("ReceiptHandleIsInvalid"),
  invalidContents: sender("InvalidMessageContents"),
  tooMany: sender("TooManyEntriesInBatchRequest"),
  emptyBatch: sender("EmptyBatchRequest"),
  idsNotDistinct: sender("BatchEntryIdsNotDistinct"),
  invalidEntryId: sender("InvalidBatchEntryId"),
  batchTooLong: sender("BatchRequestTooLong"),
  purgeInProgress: sender("PurgeQueueInProgress"),
  unsupported: sender("UnsupportedOperation"),
};
