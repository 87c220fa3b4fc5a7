// Domain types of the control plane. Stores return these; the API renders them in
// Lambda's wire shapes (see api/lambda-shapes.ts).
import type { TracingMode } from "@stratus/shared";

export interface Account {
  id: string;
  name: string;
}

export interface AccessKey {
  accessKeyId: string;
  accountId: string;
  secretAccessKey: string;
  /** Set for an execution role's temporary credentials: what they act as, and until when. */
  session?: { roleArn: string; sessionName: string; expiresAt: number };
  /** Set for an IAM user's key: the user it acts as (its policies judge each request, iam/access.ts). */
  user?: { name: string; path: string };
}

/** One version of a function: `$LATEST` (mutable) or a published number (immutable). */
export interface FunctionVersion {
  accountId: string;
  name: string;
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  environment: Record<string, string>;
  codeSha256Hex: string;
  codeSize: number;
  /** The layers merged into /opt, in order, each pinned to its content by digest. */
  layers: FunctionLayer[];
  /** TracingConfig.Mode: Active samples invocations that arrive without a sampling decision. */
  tracingMode: TracingMode;
  /** Its LoggingConfig. */
  logging: LoggingConfig;
  revisionId: string;
  state: "Pending" | "Active" | "Inactive" | "Failed";
  /** Why the function is not Active (Lambda's StateReasonCode and StateReason). */
  stateReason?: StatusReason;
  /** How its last create or code update went: InProgress while an image is resolved and pulled. */
  lastUpdate: { status: "Successful" | "InProgress" | "Failed"; reason?: StatusReason };
  /** Zip (code in code_blobs, runtime and handler set) or Image (`image` set, runtime and handler empty). */
  packageType: "Zip" | "Image";
  image?: FunctionImage;
  /** DeadLetterConfig.TargetArn: the SQS queue a discarded async event goes to; absent or "": none. */
  deadLetterTarget?: string;
  lastModified: Date;
}

export interface StatusReason {
  code: string;
  message: string;
}

/** ImageConfig: what replaces the image's own ENTRYPOINT, CMD and WORKDIR. */
export interface ImageConfig {
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
}

/** An image function's image. */
export interface FunctionImage {
  /** Code.ImageUri as the caller gave it (a tag or a digest). */
  uri: string;
  /**
   * `registry/repo@sha256:…`: what the version runs, resolved when it was created or
   * its code updated, kept by published versions when the tag moves; absent until
   * first resolved. During an update (InProgress) it is still the previous image's.
   */
  resolvedUri?: string;
  /** Its layers and config, as its manifest states them. */
  sizeBytes?: number;
  config: ImageConfig;
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

/** A write was refused because the caller's RevisionId is not the current one. */
export class RevisionMismatchError extends Error {}

/** The fields UpdateFunctionConfiguration may change. */
export type ConfigurationPatch = Partial<
  Pick<
    FunctionVersion,
    | "runtime"
    | "handler"
    | "role"
    | "description"
    | "memoryMb"
    | "timeoutSeconds"
    | "ephemeralStorageMb"
    | "environment"
    | "layers"
    | "tracingMode"
    | "logging"
    | "image"
    | "deadLetterTarget"
  >
>;

/** Where a function's log lines go and in what format (Lambda's LoggingConfig). */
export interface LoggingConfig {
  logFormat: "Text" | "JSON";
  /** Absent: /aws/lambda/<function>. */
  logGroup?: string;
  /** JSON only: the lowest level of the function's own lines kept, and of the platform's. */
  applicationLogLevel?: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
  systemLogLevel?: "DEBUG" | "INFO" | "WARN";
}

/** A layer version as a function uses it: pinned by digest, so deleting the layer version changes nothing. */
export interface FunctionLayer {
  arn: string;
  sha256Hex: string;
  codeSize: number;
  unzippedSize: number;
}

/** One statement of a layer version's policy: who may do what (GetLayerVersion). */
export interface LayerStatement {
  sid: string;
  /** A 12-digit account id, or "*" for every account. */
  principal: string;
  action: string;
}

/** One immutable version of a layer. */
export interface LayerVersion {
  accountId: string;
  layerName: string;
  version: number;
  description: string;
  licenseInfo?: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  sha256Hex: string;
  codeSize: number;
  unzippedSize: number;
  policy: LayerStatement[];
  policyRevisionId: string;
  createdDate: Date;
}

export interface Alias {
  accountId: string;
  functionName: string;
  name: string;
  functionVersion: string;
  description: string;
  /** At most one additional version with its weight (0..1), as Lambda allows. */
  additional?: { version: string; weight: number };
  revisionId: string;
}

export interface EventInvokeConfig {
  accountId: string;
  functionName: string;
  qualifier: string;
  maximumRetryAttempts?: number;
  maximumEventAgeSeconds?: number;
  destinationConfig: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
  lastModified: Date;
}
