// The Layers of a function: each a layer version ARN, at most five, resolved to the
// content it names (which the function version then pins by digest), refused with
// Lambda's errors when unknown, not shared with the caller, or not compatible with the
// function's runtime. Code and layers together must fit the 250 MB unzipped limit.
import { errors, limits } from "@stratus/shared";
import type { FunctionLayer } from "../domain.js";
import type { LayerStore } from "../store/layer-store.js";
import { layerArn, layerVersionArn, parseLayerVersionArn } from "./layer-arns.js";
import { allowsUse, GET_LAYER_VERSION } from "./layer-policy.js";

export interface FunctionLayers {
  /** The layers `arns` name, in order, for a function of `runtime` in the caller's account. */
  resolve(accountId: string, arns: readonly string[], runtime: string): Promise<FunctionLayer[]>;
  /** Refuses `runtime` for a function using `layers` when a layer version still published does not list it. */
  checkRuntime(accountId: string, layers: readonly FunctionLayer[], runtime: string): Promise<void>;
}

/** Refuses code of `codeUnzipped` bytes with `layers` over Lambda's unzipped limit. */
export function checkUnzippedTotal(codeUnzipped: number, layers: readonly FunctionLayer[]): void {
  const total = layers.reduce((n, l) => n + l.unzippedSize, codeUnzipped);
  if (total > limits.unzippedCodeBytes) {
    throw errors.invalidParameter(
      `Function code combined with layers exceeds the maximum allowed size of ${limits.unzippedCodeBytes} bytes. The actual size is ${total} bytes.`,
    );
  }
}

/** Used where no layer store is wired (unit tests of functions): every layer is unknown. */
export const noFunctionLayers: FunctionLayers = {
  async resolve(_accountId, arns) {
    if (arns.length > 0) throw errors.invalidParameter(`Layer version ${arns[0]} does not exist.`);
    return [];
  },
  async checkRuntime() {},
};

function incompatible(arn: string, runtime: string): never {
  throw errors.invalidParameter(`Layer version ${arn} is not compatible with the function's runtime ${runtime}`);
}

export function createFunctionLayers(store: LayerStore, region: string): FunctionLayers {
  return {
    async resolve(accountId, arns, runtime) {
      if (arns.length > limits.layersPerFunction) {
        throw errors.invalidParameter(`Layers: a function may use at most ${limits.layersPerFunction} layers`);
      }
      const refs = arns.map((arn) => {
        const ref = parseLayerVersionArn(arn, region);
        if (!ref)
          throw errors.invalidParameter(`Layers: ${JSON.stringify(arn.slice(0, 200))} is not a layer version ARN`);
        return ref;
      });
      const seen = new Set<string>();
      for (const ref of refs) {
        const layer = layerArn(region, ref);
        if (seen.has(layer))
          throw errors.invalidParameter(`Two different versions of the same layer are not allowed: ${layer}`);
        seen.add(layer);
      }
      const resolved: FunctionLayer[] = [];
      for (const ref of refs) {
        const arn = layerVersionArn(region, ref);
        const found = await store.get(ref.accountId, ref.name, ref.version);
        if (ref.accountId !== accountId && (!found || !allowsUse(found.accountId, found.policy, accountId))) {
          throw errors.accessDenied(
            `User: arn:aws:iam::${accountId}:root is not authorized to perform: ${GET_LAYER_VERSION} on resource: ${arn}`,
          );
        }
        if (!found) throw errors.invalidParameter(`Layer version ${arn} does not exist.`);
        if (found.compatibleRuntimes.length > 0 && !found.compatibleRuntimes.includes(runtime))
          incompatible(arn, runtime);
        if (found.compatibleArchitectures.length > 0 && !found.compatibleArchitectures.includes("x86_64")) {
          throw errors.invalidParameter(
            `Layer version ${arn} is not compatible with the function's architecture x86_64`,
          );
        }
        resolved.push({ arn, sha256Hex: found.sha256Hex, codeSize: found.codeSize, unzippedSize: found.unzippedSize });
      }
      return resolved;
    },
    async checkRuntime(_accountId, layers, runtime) {
      for (const layer of layers) {
        const ref = parseLayerVersionArn(layer.arn, region);
        const found = ref && (await store.get(ref.accountId, ref.name, ref.version));
        if (found && found.compatibleRuntimes.length > 0 && !found.compatibleRuntimes.includes(runtime)) {
          incompatible(layer.arn, runtime);
        }
      }
    },
  };
}
