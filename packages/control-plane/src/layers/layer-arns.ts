// Layer names and ARNs as Lambda writes them: a layer is
// arn:aws:lambda:<region>:<account>:layer:<name>, one of its versions the same with
// `:<version>` after it. The API's {LayerName} accepts a name or a layer ARN.
import { errors } from "@stratus/shared";

export const LAYER_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const LAYER_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]{1,64})$/;
const VERSION_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]{1,64}):([0-9]{1,10})$/;

export interface LayerRef {
  accountId: string;
  name: string;
}

export interface LayerVersionRef extends LayerRef {
  version: number;
}

export const layerArn = (region: string, ref: LayerRef) =>
  `arn:aws:lambda:${region}:${ref.accountId}:layer:${ref.name}`;

export const layerVersionArn = (region: string, ref: LayerVersionRef) => `${layerArn(region, ref)}:${ref.version}`;

const shown = (raw: string) => JSON.stringify(raw.slice(0, 200));

function checkRegion(found: string, region: string, raw: string): void {
  if (found !== region) throw errors.invalidParameter(`Layer ARN ${shown(raw)} is not in this region (${region})`);
}

/** {LayerName} of the API: a plain name (the caller's own layer) or a layer ARN of any account. */
export function parseLayerName(raw: string, callerAccountId: string, region: string): LayerRef {
  if (LAYER_NAME.test(raw)) return { accountId: callerAccountId, name: raw };
  const arn = LAYER_ARN.exec(raw);
  if (!arn) throw errors.invalidParameter(`Invalid value for LayerName: ${shown(raw)}`);
  const [, arnRegion = "", accountId = "", name = ""] = arn;
  checkRegion(arnRegion, region, raw);
  return { accountId, name };
}

/** A layer version ARN (Layers of a function, GetLayerVersionByArn), or undefined when `raw` is not one. */
export function parseLayerVersionArn(raw: string, region: string): LayerVersionRef | undefined {
  const arn = VERSION_ARN.exec(raw);
  if (!arn) return undefined;
  const [, arnRegion = "", accountId = "", name = "", version = ""] = arn;
  checkRegion(arnRegion, region, raw);
  const n = Number(version);
  return n >= 1 && Number.isSafeInteger(n) ? { accountId, name, version: n } : undefined;
}

/** A version number from the path: a positive integer. */
export function parseVersionNumber(raw: string): number {
  const n = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1)) throw errors.invalidParameter(`Invalid value for VersionNumber: ${shown(raw)}`);
  return n;
}
