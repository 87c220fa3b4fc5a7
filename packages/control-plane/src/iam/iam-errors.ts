// IAM's errors, by the codes its awsQuery responses carry.
import { StratusError } from "@stratus/shared";

const err = (code: string, status: number) => (message: string) => new StratusError(code, status, "client", message);

export const iamErrors = {
  noSuchEntity: err("NoSuchEntity", 404),
  alreadyExists: err("EntityAlreadyExists", 409),
  deleteConflict: err("DeleteConflict", 409),
  validation: err("ValidationError", 400),
  invalidInput: err("InvalidInput", 400),
  limitExceeded: err("LimitExceeded", 409),
};

/** A policy document outside IAM's grammar, or what Stratus can judge. */
export const malformed = (message: string) => new StratusError("MalformedPolicyDocument", 400, "client", message);
