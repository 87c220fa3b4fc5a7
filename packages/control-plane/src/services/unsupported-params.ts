// Lambda parameters Stratus does not implement yet. Each is refused by name with an
// InvalidParameterValueException when it asks for anything, never silently dropped;
// the value that means "off" (what Terraform and the SDKs send for an unset block) is
// accepted. An entry leaves this list when an issue builds its feature.
import { errors } from "@stratus/shared";

type Body = Record<string, unknown>;

interface Unsupported {
  /** The parameter's path in the request body. */
  path: string;
  /** Whether `value` asks for nothing (an empty list, the default mode). */
  inert: (value: unknown, body: Body) => boolean;
}

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);
const emptyList = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
const emptyText = (v: unknown) => v === undefined || v === null || v === "";
const emptyObject = (v: unknown) => v === undefined || v === null || (isObject(v) && Object.keys(v).length === 0);
const onlyKeys = (v: unknown, inert: Record<string, (x: unknown) => boolean>) =>
  isObject(v) && Object.entries(v).every(([k, x]) => inert[k]?.(x) ?? false);

/** Parameters of CreateFunction and UpdateFunctionConfiguration. */
const CONFIGURATION: Unsupported[] = [
  {
    path: "VpcConfig",
    inert: (v) =>
      onlyKeys(v, { SubnetIds: emptyList, SecurityGroupIds: emptyList, Ipv6AllowedForDualStack: (x) => x !== true }),
  },
  { path: "SnapStart", inert: (v) => onlyKeys(v, { ApplyOn: (x) => x === undefined || x === "None" }) },
  { path: "KMSKeyArn", inert: emptyText },
  { path: "FileSystemConfigs", inert: emptyList },
  { path: "CodeSigningConfigArn", inert: emptyText },
  { path: "CapacityProviderConfig", inert: emptyObject },
  { path: "DurableConfig", inert: emptyObject },
];

/** Parameters of CreateFunction alone. */
const CREATE_ONLY: Unsupported[] = [
  { path: "TenancyConfig", inert: emptyObject },
  { path: "PublishTo", inert: emptyText },
];

/** Code sources other than a zip in the request. */
const CODE_SOURCES = ["S3Bucket", "S3Key", "S3ObjectVersion", "SourceKMSKeyArn"];

const MESSAGES: Record<string, string> = {
  PackageType: "PackageType must be Zip or Image",
};

function refuse(path: string): never {
  throw errors.invalidParameter(
    MESSAGES[path] ?? `${path} is not supported by Stratus yet: remove it (or leave it empty) and try again`,
  );
}

function check(body: Body, list: Unsupported[]): void {
  for (const { path, inert } of list) {
    if (body[path] !== undefined && !inert(body[path], body)) refuse(path);
  }
}

/** Refuses a CreateFunction body that asks for a feature Stratus lacks, before its schema is checked. */
export function refuseUnsupportedCreate(body: unknown): void {
  if (!isObject(body)) return;
  if (body.PackageType !== undefined && body.PackageType !== "Zip" && body.PackageType !== "Image") {
    refuse("PackageType");
  }
  check(body, CONFIGURATION);
  check(body, CREATE_ONLY);
  const code = body.Code;
  if (isObject(code)) for (const key of CODE_SOURCES) if (!emptyText(code[key])) refuse(`Code.${key}`);
}

/** Refuses an UpdateFunctionConfiguration body that asks for a feature Stratus lacks. */
export function refuseUnsupportedConfiguration(body: unknown, functionName: string): void {
  if (isObject(body)) check({ ...body, FunctionName: functionName }, CONFIGURATION);
}

/** Refuses an UpdateFunctionCode body whose code is not a zip in the request, or that publishes elsewhere. */
export function refuseUnsupportedCode(body: unknown): void {
  if (!isObject(body)) return;
  for (const key of CODE_SOURCES) if (!emptyText(body[key])) refuse(key);
  if (!emptyText(body.PublishTo)) refuse("PublishTo");
}

/** Refuses a PublishVersion body that names where to publish (Lambda's managed-instance versions). */
export function refuseUnsupportedPublish(body: unknown): void {
  if (isObject(body) && !emptyText(body.PublishTo)) refuse("PublishTo");
}
