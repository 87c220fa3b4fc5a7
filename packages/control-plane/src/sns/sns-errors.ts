// SNS's errors, each StratusError's code the awsQuery code of SNS's model (so the SDK
// names its exception: NotFound → NotFoundException).
import { StratusError } from "@stratus/shared";

const sender =
  (code: string, status = 400) =>
  (message: string) =>
    new StratusError(code, status, "client", message);

export const snsErrors = {
  invalidParameter: (message: string) =>
    new StratusError("InvalidParameter", 400, "client", `Invalid parameter: ${message}`),
  notFound: sender("NotFound", 404),
  resourceNotFound: sender("ResourceNotFound", 404),
  authorization: sender("AuthorizationError", 403),
  tagLimit: sender("TagLimitExceeded"),
  emptyBatch: sender("EmptyBatchRequest"),
  tooMany: sender("TooManyEntriesInBatchRequest"),
  idsNotDistinct: sender("BatchEntryIdsNotDistinct"),
  invalidEntryId: sender("InvalidBatchEntryId"),
  batchTooLong: sender("BatchRequestTooLong"),
  /** A parameter or value Stratus does not implement, refused by name. */
  unsupported: (what: string) =>
    new StratusError("InvalidParameter", 400, "client", `Invalid parameter: ${what} is not supported by Stratus`),
};

export const topicNotFound = () => snsErrors.notFound("Topic does not exist");
export const subscriptionNotFound = () => snsErrors.notFound("Subscription does not exist");
