// How every Stratus process writes its log: pino's JSON lines with the level as its
// name ("info", not 30), an ISO time, the process's name, and the fields that could
// hold a secret censored wherever a line carries them (keys, tokens, signatures,
// environment values, payloads), as a second guard behind the rule that no line is
// given them. Each main.ts hands these options to pino; shared does not import pino.
import type { LogLevel } from "./logger.js";

/** Field names that are never written as they are, at the top of a line's fields or one level down. */
export const REDACTED_FIELDS = [
  "authorization",
  "secretAccessKey",
  "SecretAccessKey",
  "sessionToken",
  "token",
  "internalToken",
  "password",
  "signature",
  "environment",
  "Environment",
  "Variables",
  "payload",
  "Payload",
  "body",
  "x-stratus-internal-token",
  "x-amz-security-token",
] as const;

export const REDACTED = "[redacted]";

/** pino's options for a process named `name` logging from `level`. */
export function processLogOptions(name: string, level: LogLevel) {
  return {
    name,
    level,
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `headers["${field}"]`, `*.headers["${field}"]`]),
      censor: REDACTED,
    },
  };
}
