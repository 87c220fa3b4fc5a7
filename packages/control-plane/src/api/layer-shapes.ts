// Renders layer versions in the shapes Lambda's layer operations return.
import type { LayerVersion } from "../domain.js";
import { layerArn, layerVersionArn } from "../layers/layer-arns.js";
import { lambdaTimestamp } from "./lambda-shapes.js";

const ref = (v: LayerVersion) => ({ accountId: v.accountId, name: v.layerName, version: v.version });

/** The fields every shape of a layer version shares (LayerVersionsListItem). */
export function toLayerVersionItem(v: LayerVersion, region: string) {
  return {
    LayerVersionArn: layerVersionArn(region, ref(v)),
    Version: v.version,
    Description: v.description,
    CreatedDate: lambdaTimestamp(v.createdDate),
    CompatibleRuntimes: v.compatibleRuntimes,
    ...(v.licenseInfo !== undefined ? { LicenseInfo: v.licenseInfo } : {}),
    CompatibleArchitectures: v.compatibleArchitectures,
  };
}

/** PublishLayerVersion and GetLayerVersion; `location` is a link to download the zip. */
export function toLayerVersion(v: LayerVersion, region: string, location: string) {
  return {
    Content: {
      Location: location,
      CodeSha256: Buffer.from(v.sha256Hex, "hex").toString("base64"),
      CodeSize: v.codeSize,
    },
    LayerArn: layerArn(region, ref(v)),
    ...toLayerVersionItem(v, region),
  };
}

/** ListLayers: a layer with its newest version matching the filter. */
export function toLayersListItem(v: LayerVersion, region: string) {
  return {
    LayerName: v.layerName,
    LayerArn: layerArn(region, ref(v)),
    LatestMatchingVersion: toLayerVersionItem(v, region),
  };
}
