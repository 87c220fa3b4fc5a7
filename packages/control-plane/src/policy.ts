// Resource-based policies of functions (AddPermission, GetPolicy, RemovePermission):
// the statements as Stratus keeps them. Rendered in Lambda's wire shape by
// services/policy-render.ts and evaluated by services/policy-check.ts.

/** Who a statement grants to: an AWS service, an account, or anyone ("*"). */
export type Principal = { service: string } | { account: string } | "*";

export type FunctionUrlAuthType = "NONE" | "AWS_IAM";

/** One Allow statement; the optional fields are its conditions, all of which must hold. */
export interface PolicyStatement {
  sid: string;
  /** As the caller wrote it: `lambda:InvokeFunction`, `lambda:*`, `*`... */
  action: string;
  principal: Principal;
  /** ArnLike AWS:SourceArn (`*` and `?` are wildcards). */
  sourceArn?: string;
  /** StringEquals AWS:SourceAccount. */
  sourceAccount?: string;
  /** StringEquals lambda:FunctionUrlAuthType. */
  functionUrlAuthType?: FunctionUrlAuthType;
  /** StringEquals aws:PrincipalOrgID (Stratus has no organisations: never satisfied). */
  principalOrgId?: string;
  /** StringEquals lambda:EventSourceToken. */
  eventSourceToken?: string;
}

/**
 * The policy of one function, version or alias. `qualifier` is "" for the unqualified
 * function (which an invoke of $LATEST uses too), else a version number or alias name.
 */
export interface FunctionPolicy {
  accountId: string;
  functionName: string;
  qualifier: string;
  statements: PolicyStatement[];
  revisionId: string;
}
