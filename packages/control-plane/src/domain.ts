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
