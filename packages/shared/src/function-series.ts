// The labels of the per-function metrics (stratus_lambda_*), named as Lambda's
// CloudWatch dimensions, and the cap that bounds how many functions a process
// reports: past `limit` distinct label sets, a new function's samples fold into
// function="__other__" (resource too), so a scrape never grows with the number of
// functions. Both processes use it; each counts its folds on its own registry.
import { z } from "zod";

/** The label names of every per-function metric: account, function and Lambda's Resource dimension. */
export const FUNCTION_SERIES_LABELS = ["account", "function", "resource"] as const;

export type FunctionSeriesLabels = Record<(typeof FUNCTION_SERIES_LABELS)[number], string>;

/** What a folded function's `function` and `resource` labels say. */
export const OTHER_FUNCTION = "__other__";

/** Default of STRATUS_METRICS_MAX_FUNCTION_SERIES. */
export const DEFAULT_MAX_FUNCTION_SERIES = 2_000;

/** STRATUS_METRICS_MAX_FUNCTION_SERIES, as every process's configuration schema reads it. */
export const MaxFunctionSeriesSchema = z.coerce
  .number()
  .int()
  .min(0)
  .max(1_000_000)
  .default(DEFAULT_MAX_FUNCTION_SERIES);

/**
 * Lambda's Resource dimension: the function's name, with `:qualifier` when it was
 * invoked as a version or an alias (an unqualified call is the name alone).
 */
export function resourceOf(functionName: string, qualifier: string | undefined): string {
  return qualifier ? `${functionName}:${qualifier}` : functionName;
}

/** The Resource of a function ARN as an invoke spec carries it (`...:function:name[:qualifier]`). */
export function resourceOfArn(functionArn: string): string {
  const at = functionArn.indexOf(":function:");
  return at < 0 ? functionArn : functionArn.slice(at + ":function:".length);
}

export interface FunctionSeriesCap {
  /**
   * The labels to record a sample of (account, function, resource) under: its own
   * once admitted (admission is for the process's life), folded when the cap is full.
   */
  labels(account: string, functionName: string, resource: string): FunctionSeriesLabels;
  /** Label sets admitted so far (at most the limit). */
  admitted(): number;
}

/**
 * A cap of `limit` label sets (0: every function folds). `onFold` is told of each
 * folded sample, so that a counter says how much went to __other__.
 */
export function createFunctionSeriesCap(limit: number, onFold: () => void = () => {}): FunctionSeriesCap {
  // account -> resource -> labels: the hot path finds an admitted set without building a key.
  const admitted = new Map<string, Map<string, FunctionSeriesLabels>>();
  const folded = new Map<string, FunctionSeriesLabels>();
  let size = 0;
  return {
    labels(account, functionName, resource) {
      let byResource = admitted.get(account);
      const hit = byResource?.get(resource);
      if (hit) return hit;
      if (size < limit) {
        if (!byResource) {
          byResource = new Map();
          admitted.set(account, byResource);
        }
        const labels = { account, function: functionName, resource };
        byResource.set(resource, labels);
        size += 1;
        return labels;
      }
      onFold();
      // One folded set per account: accounts are made by an operator, so they stay few.
      let other = folded.get(account);
      if (!other) {
        other = { account, function: OTHER_FUNCTION, resource: OTHER_FUNCTION };
        folded.set(account, other);
      }
      return other;
    },
    admitted: () => size,
  };
}
