// SNS (signing name `sns`) on the Stratus endpoint, in awsQuery, the one protocol its
// clients speak: answers in SNS's XML namespace, its attribute maps as entry/key/value.
import { type Logger, StratusError } from "@stratus/shared";
import type { Router } from "express";
import { queryCodec } from "./cloudwatch-protocols.js";
import { type QueryOp, queryRoutes } from "./query-routes.js";

const snsQuery = queryCodec("http://sns.amazonaws.com/doc/2010-03-31/", "2010-03-31", new Set(["Attributes"]));

export function snsRoutes(ops: Record<string, QueryOp>, log: Pick<Logger, "warn" | "error">): Router {
  return queryRoutes(
    {
      signingName: "sns",
      label: "SNS",
      codec: snsQuery,
      ops,
      translate: (known) => {
        if (known.code === "SerializationException" || known.code === "InvalidParameterValueException") {
          return new StratusError("InvalidParameter", 400, "client", known.message);
        }
        // An IAM principal refused by its policies: SNS's code for it.
        if (known.code === "AccessDeniedException")
          return new StratusError("AuthorizationError", 403, "client", known.message);
        return known;
      },
      internal: () => new StratusError("InternalError", 500, "platform", "An internal error occurred"),
    },
    log,
  );
}
