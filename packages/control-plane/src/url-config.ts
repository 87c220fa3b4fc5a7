// A function URL's configuration as the control plane keeps it: which function (and
// alias) it invokes, who may call it, and its CORS rules.

export type AuthType = "NONE" | "AWS_IAM";
export type InvokeMode = "BUFFERED" | "RESPONSE_STREAM";

/** Lambda's Cors block, as given (absent fields stay absent). */
export interface Cors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

export interface FunctionUrlConfig {
  /** 32 lowercase letters and digits: the URL's host label and path segment. */
  urlId: string;
  accountId: string;
  functionName: string;
  /** An alias name, or undefined for the unqualified function ($LATEST). */
  qualifier?: string;
  authType: AuthType;
  cors?: Cors;
  invokeMode: InvokeMode;
  createdAt: Date;
  lastModified: Date;
}
