// The shape of one IAM operation as the endpoint calls it.
import type { Principal } from "./access.js";
import type { Input } from "./iam-input.js";

/** `caller`: the IAM principal that signed the request; undefined for the account's own keys. */
export type IamOp = (accountId: string, input: Input, caller?: Principal) => Promise<Record<string, unknown>>;
