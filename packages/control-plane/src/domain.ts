// Domain types of the control plane. Stores return these; the API renders them in
// Lambda's wire shapes (see api/lambda-shapes.ts).

export interface Account {
  id: string;
  name: string;
}

export interface AccessKey {
  accessKeyId: string;
  accountId: string;
  secretAccessKey: string;
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
  revisionId: string;
  state: "Pending" | "Active" | "Inactive" | "Failed";
  lastModified: Date;
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
  >
>;

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
