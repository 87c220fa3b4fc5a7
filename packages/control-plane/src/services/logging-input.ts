// A function's LoggingConfig as Lambda takes and checks it: LogFormat Text or JSON, the
// application and system log levels (JSON only, defaulting to INFO there), and the log
// group its lines go to (absent: /aws/lambda/<function>). An update changes the fields
// it names and keeps the others.
import { errors } from "@stratus/shared";
import { z } from "zod";
import type { LoggingConfig } from "../domain.js";

const APPLICATION_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
const SYSTEM_LEVELS = ["DEBUG", "INFO", "WARN"] as const;

export const LoggingConfigSchema = z.object({
  LogFormat: z.enum(["Text", "JSON"], { errorMap: () => ({ message: "LogFormat must be Text or JSON" }) }).optional(),
  ApplicationLogLevel: z
    .enum(APPLICATION_LEVELS, {
      errorMap: () => ({ message: `ApplicationLogLevel must be one of ${APPLICATION_LEVELS.join(", ")}` }),
    })
    .optional(),
  SystemLogLevel: z
    .enum(SYSTEM_LEVELS, { errorMap: () => ({ message: `SystemLogLevel must be one of ${SYSTEM_LEVELS.join(", ")}` }) })
    .optional(),
  LogGroup: z
    .string()
    .regex(
      /^[.\-_/#A-Za-z0-9]{1,512}$/,
      "LogGroup must be 1 to 512 characters of a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'",
    )
    .optional(),
});

export type LoggingConfigInput = z.infer<typeof LoggingConfigSchema>;

export const TEXT_LOGGING: LoggingConfig = { logFormat: "Text" };

/** The configuration `input` makes of `current` (a new function's: Text, the default group). */
export function loggingOf(input: LoggingConfigInput | undefined, current: LoggingConfig = TEXT_LOGGING): LoggingConfig {
  if (!input) return current;
  const logFormat = input.LogFormat ?? current.logFormat;
  const logGroup = input.LogGroup ?? current.logGroup;
  if (logFormat === "Text") {
    if (input.ApplicationLogLevel !== undefined || input.SystemLogLevel !== undefined) {
      throw errors.invalidParameter(
        "LoggingConfig: ApplicationLogLevel and SystemLogLevel can only be set when LogFormat is JSON",
      );
    }
    return { logFormat, ...(logGroup ? { logGroup } : {}) };
  }
  return {
    logFormat,
    ...(logGroup ? { logGroup } : {}),
    applicationLogLevel: input.ApplicationLogLevel ?? current.applicationLogLevel ?? "INFO",
    systemLogLevel: input.SystemLogLevel ?? current.systemLogLevel ?? "INFO",
  };
}

/** LoggingConfig as GetFunctionConfiguration answers it. */
export function loggingShape(l: LoggingConfig, functionName: string) {
  return {
    LogFormat: l.logFormat,
    ...(l.applicationLogLevel ? { ApplicationLogLevel: l.applicationLogLevel } : {}),
    ...(l.systemLogLevel ? { SystemLogLevel: l.systemLogLevel } : {}),
    LogGroup: l.logGroup ?? `/aws/lambda/${functionName}`,
  };
}
