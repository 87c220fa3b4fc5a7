import { limits, type StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { FunctionLayer, LayerVersion } from "../domain.js";
import type { LayerStore } from "../store/layer-store.js";
import { checkUnzippedTotal, createFunctionLayers } from "./function-layers.js";

const ME = "123456789012";
const OTHER = "210987654321";
const REGION = "us-east-1";
const arn = (account: string, name: string, version = 1) =>
  `arn:aws:lambda:${REGION}:${account}:layer:${name}:${version}`;

function version(accountId: string, layerName: string, more: Partial<LayerVersion> = {}): LayerVersion {
  return {
    accountId,
    layerName,
    version: 1,
    description: "",
    compatibleRuntimes: [],
    compatibleArchitectures: [],
    sha256Hex: layerName.padEnd(64, "0"),
    codeSize: 10,
    unzippedSize: 100,
    policy: [],
    policyRevisionId: "r",
    createdDate: new Date(0),
    ...more,
  };
}

/** A store holding `versions` (version 1 of each), read only through get(). */
function storeOf(versions: LayerVersion[]): LayerStore {
  return {
    get: async (a, n, v) => versions.find((x) => x.accountId === a && x.layerName === n && x.version === v),
  } as LayerStore;
}

const layers = createFunctionLayers(
  storeOf([
    version(ME, "a"),
    version(ME, "b"),
    version(ME, "py", { compatibleRuntimes: ["python3.11"] }),
    version(ME, "arm", { compatibleArchitectures: ["arm64"] }),
    version(OTHER, "private"),
    version(OTHER, "shared", { policy: [{ sid: "s", principal: ME, action: "lambda:GetLayerVersion" }] }),
    version(OTHER, "public", { policy: [{ sid: "s", principal: "*", action: "lambda:GetLayerVersion" }] }),
  ]),
  REGION,
);

async function refused(arns: string[], runtime = "nodejs22.x") {
  try {
    await layers.resolve(ME, arns, runtime);
  } catch (err) {
    return { code: (err as StratusError).code, message: (err as StratusError).message };
  }
  return undefined;
}

describe("a function's Layers", () => {
  it("resolves each to its content, in the order given", async () => {
    const got = await layers.resolve(
      ME,
      [arn(ME, "b"), arn(ME, "a"), arn(OTHER, "shared"), arn(OTHER, "public")],
      "nodejs22.x",
    );
    expect(got.map((l) => l.arn)).toEqual([arn(ME, "b"), arn(ME, "a"), arn(OTHER, "shared"), arn(OTHER, "public")]);
    expect(got[0]).toEqual({ arn: arn(ME, "b"), sha256Hex: "b".padEnd(64, "0"), codeSize: 10, unzippedSize: 100 });
  });

  it.each<[string, string[], string, string, RegExp]>([
    [
      "six layers",
      ["a", "b", "c", "d", "e", "f"].map((n) => arn(ME, n)),
      "nodejs22.x",
      "InvalidParameterValueException",
      /at most 5/,
    ],
    [
      "an unknown version of the caller's",
      [arn(ME, "a", 2)],
      "nodejs22.x",
      "InvalidParameterValueException",
      /does not exist/,
    ],
    [
      "another account's layer not shared",
      [arn(OTHER, "private")],
      "nodejs22.x",
      "AccessDeniedException",
      /not authorized/,
    ],
    [
      "another account's layer that does not exist",
      [arn(OTHER, "nothing")],
      "nodejs22.x",
      "AccessDeniedException",
      /not authorized/,
    ],
    [
      "a runtime the layer does not list",
      [arn(ME, "py")],
      "nodejs22.x",
      "InvalidParameterValueException",
      /not compatible/,
    ],
    [
      "an architecture the layer does not list",
      [arn(ME, "arm")],
      "nodejs22.x",
      "InvalidParameterValueException",
      /architecture/,
    ],
    [
      "two versions of one layer",
      [arn(ME, "a"), arn(ME, "a", 2)],
      "nodejs22.x",
      "InvalidParameterValueException",
      /same layer/,
    ],
    ["a name instead of an ARN", ["a"], "nodejs22.x", "InvalidParameterValueException", /not a layer version ARN/],
  ])("refuses %s", async (_what, arns, runtime, code, message) => {
    const r = await refused(arns, runtime);
    expect(r?.code).toBe(code);
    expect(r?.message).toMatch(message);
  });

  it("accepts a layer listing the runtime, and refuses a runtime change a kept layer does not list", async () => {
    const [py] = await layers.resolve(ME, [arn(ME, "py")], "python3.11");
    await expect(layers.checkRuntime(ME, [py as FunctionLayer], "nodejs22.x")).rejects.toThrow(/not compatible/);
    await expect(layers.checkRuntime(ME, [py as FunctionLayer], "python3.11")).resolves.toBeUndefined();
    // A deleted layer version no longer constrains the runtime.
    const gone = { ...(py as FunctionLayer), arn: arn(ME, "py", 7) };
    await expect(layers.checkRuntime(ME, [gone], "nodejs22.x")).resolves.toBeUndefined();
  });

  it("counts code and layers together against the unzipped limit", () => {
    const layer = (unzippedSize: number): FunctionLayer => ({ arn: "x", sha256Hex: "0", codeSize: 1, unzippedSize });
    expect(() => checkUnzippedTotal(limits.unzippedCodeBytes - 200, [layer(100), layer(100)])).not.toThrow();
    expect(() => checkUnzippedTotal(limits.unzippedCodeBytes - 200, [layer(100), layer(101)])).toThrow(/exceeds/);
  });
});
