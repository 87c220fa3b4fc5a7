// IAM (signing name `iam`) on the Stratus endpoint, in the awsQuery protocol its
// clients speak: POST / with a form body (Action=CreateRole&Version=2010-05-08&...),
// answered in XML in IAM's namespace, errors as awsQuery ErrorResponse documents.
import type { Logger } from "@stratus/shared";
import { StratusError } from "@stratus/shared";
import type { Router } from "express";
import type { IamOp } from "../iam/iam-service.js";
import { queryCodec } from "./cloudwatch-protocols.js";
import { queryRoutes } from "./query-routes.js";

const iamQuery = queryCodec("https://iam.amazonaws.com/doc/2010-05-08/", "2010-05-08");

export function iamRoutes(ops: Record<string, IamOp>, log: Pick<Logger, "warn" | "error">): Router {
  return queryRoutes(
    {
      signingName: "iam",
      label: "IAM",
      codec: iamQuery,
      ops,
      translate: (known) =>
        known.code === "SerializationException" || known.code === "InvalidParameterValueException"
          ? new StratusError("ValidationError", 400, "client", known.message)
          : known,
      internal: () => new StratusError("ServiceFailure", 500, "platform", "An internal error occurred"),
    },
    log,
  );
}
