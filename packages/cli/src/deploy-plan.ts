// What deploy must change on an existing function: the configuration fields of
// stratus.json that differ from the function's. Pure, so that "nothing changed" is
// decided in one place and tested as a table.
import type { FunctionConfiguration, Runtime } from "@aws-sdk/client-lambda";
import type { FunctionConfig } from "./config-file.js";

/** The configuration a function made from stratus.json has, in the API's names. */
export interface WantedConfiguration {
  Runtime: Runtime;
  Handler: string;
  MemorySize: number;
  Timeout: number;
  Role: string;
  Description: string;
  Environment: { Variables: Record<string, string> };
}

export function wantedConfiguration(config: FunctionConfig): WantedConfiguration {
  return {
    // An unknown runtime is the service's to refuse, with its own message.
    Runtime: config.runtime as Runtime,
    Handler: config.handler,
    MemorySize: config.memory,
    Timeout: config.timeout,
    Role: config.role,
    Description: config.description ?? "",
    Environment: { Variables: config.environment ?? {} },
  };
}

const sameVariables = (a: Record<string, string> = {}, b: Record<string, string> = {}) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

/** The fields to send to UpdateFunctionConfiguration, or undefined when none differ. */
export function configUpdate(
  current: FunctionConfiguration,
  config: FunctionConfig,
): Partial<WantedConfiguration> | undefined {
  const want = wantedConfiguration(config);
  const update: Partial<WantedConfiguration> = {};
  if (current.Runtime !== want.Runtime) update.Runtime = want.Runtime;
  if (current.Handler !== want.Handler) update.Handler = want.Handler;
  if (current.MemorySize !== want.MemorySize) update.MemorySize = want.MemorySize;
  if (current.Timeout !== want.Timeout) update.Timeout = want.Timeout;
  if (current.Role !== want.Role) update.Role = want.Role;
  if ((current.Description ?? "") !== want.Description) update.Description = want.Description;
  if (!sameVariables(current.Environment?.Variables, want.Environment.Variables)) update.Environment = want.Environment;
  return Object.keys(update).length ? update : undefined;
}
