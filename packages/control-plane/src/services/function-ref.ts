// Parses a function name in every form Lambda accepts: `name`, `name:qualifier`,
// partial ARN `123456789012:function:name[:qualifier]` and full ARN
// `arn:aws:lambda:region:123456789012:function:name[:qualifier]`. An ARN naming
// another account resolves to "not found", never to that account's function.
import { errors } from "@stratus/shared";

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

const NAME = "([a-zA-Z0-9_-]{1,64})";
const QUALIFIER = "(?::(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?";
const FULL_ARN = new RegExp(`^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:${NAME}${QUALIFIER}$`);
const PARTIAL_ARN = new RegExp(`^(\\d{12}):function:${NAME}${QUALIFIER}$`);
const PLAIN = new RegExp(`^${NAME}${QUALIFIER}$`);

/** A function reference with the account its ARN names, if it names one. */
export interface NamedFunction extends FunctionRef {
  account?: string;
}

export function parseFunctionRef(raw: string, callerAccountId: string, qualifierParam?: string): FunctionRef {
  const { account, ...ref } = parseFunctionName(raw, qualifierParam);
  if (account && account !== callerAccountId) throw errors.notFound(`Function not found: ${raw}`);
  return ref;
}

export function parseFunctionName(raw: string, qualifierParam?: string): NamedFunction {
  let account: string | undefined;
  let name: string | undefined;
  let qualifier: string | undefined;
  const full = FULL_ARN.exec(raw);
  const partial = full ? null : PARTIAL_ARN.exec(raw);
  const plain = full || partial ? null : PLAIN.exec(raw);
  if (full) [, , account, name, qualifier] = full;
  else if (partial) [, account, name, qualifier] = partial;
  else if (plain) [, name, qualifier] = plain;
  if (!name || raw.length > 170) {
    throw errors.invalidParameter(`Invalid value for FunctionName: ${JSON.stringify(raw.slice(0, 170))}`);
  }
  if (qualifierParam !== undefined && qualifierParam !== "") {
    if (qualifier && qualifier !== qualifierParam) {
      throw errors.invalidParameter(
        "The derived qualifier from the function name does not match the specified qualifier.",
      );
    }
    if (!/^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/.test(qualifierParam)) {
      throw errors.invalidParameter(`Invalid value for Qualifier: ${JSON.stringify(qualifierParam.slice(0, 128))}`);
    }
    qualifier = qualifierParam;
  }
  return { ...(account ? { account } : {}), name, ...(qualifier ? { qualifier } : {}) };
}
