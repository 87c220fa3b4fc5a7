// Layer operations: publish, read, list and delete layer versions, and share them
// through their policies. Scoped by the caller's account: a layer of another account
// can be read (GetLayerVersion, and used by functions) only when its policy grants
// that account or everyone, and is never changed; a refusal never tells whether such
// a layer exists. Every refusal happens before anything is stored.
import { createHash } from "node:crypto";
import { errors } from "@stratus/shared";
import { type LayerVersion, type Page, RevisionMismatchError } from "../domain.js";
import {
  type LayerRef,
  layerVersionArn,
  parseLayerName,
  parseLayerVersionArn,
  parseVersionNumber,
} from "../layers/layer-arns.js";
import { addStatement, allowsUse, GET_LAYER_VERSION, removeStatement } from "../layers/layer-policy.js";
import type { LayerFilter, LayerStore } from "../store/layer-store.js";
import { parseInput } from "./function-input.js";
import {
  AddLayerPermissionSchema,
  PublishLayerVersionSchema,
  principalAccount,
  refuseUnsupportedLayerInput,
} from "./layer-input.js";
import { decodeZip, unzippedSize, zipEntries } from "./zip-input.js";

export interface LayerService {
  publish(accountId: string, layerName: string, body: unknown): Promise<LayerVersion>;
  get(accountId: string, layerName: string, version: string): Promise<LayerVersion>;
  getByArn(accountId: string, arn: string): Promise<LayerVersion>;
  listLayers(
    accountId: string,
    filter: LayerFilter,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<LayerVersion>>;
  listVersions(
    accountId: string,
    layerName: string,
    filter: LayerFilter,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<LayerVersion>>;
  delete(accountId: string, layerName: string, version: string): Promise<void>;
  /** Adds a statement; returns the version as it now is and the statement's id. */
  addPermission(
    accountId: string,
    layerName: string,
    version: string,
    body: unknown,
    revisionId?: string,
  ): Promise<{ layer: LayerVersion; sid: string }>;
  removePermission(
    accountId: string,
    layerName: string,
    version: string,
    sid: string,
    revisionId?: string,
  ): Promise<void>;
  /** The version, owned by the caller, whose policy is asked for; not found when it has no statement. */
  getPolicy(accountId: string, layerName: string, version: string): Promise<LayerVersion>;
}

const preconditionFailed = () =>
  errors.preconditionFailed(
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerVersionPolicy API to retrieve the latest Revision Id",
  );

export function createLayerService(store: LayerStore, region: string): LayerService {
  const denied = (accountId: string, action: string, arn: string) =>
    errors.accessDenied(
      `User: arn:aws:iam::${accountId}:root is not authorized to perform: ${action} on resource: ${arn}`,
    );
  const notFound = (arn: string) => errors.notFound(`Layer version ${arn} does not exist.`);

  /** The caller's own layer named in the path; another account's is refused for `action`. */
  const own = (accountId: string, layerName: string, version: string, action: string) => {
    const ref = parseLayerName(layerName, accountId, region);
    const v = parseVersionNumber(version);
    if (ref.accountId !== accountId) throw denied(accountId, action, layerVersionArn(region, { ...ref, version: v }));
    return { ...ref, version: v };
  };

  /** A version the caller may read: its own, or another account's shared with it. */
  const readable = async (accountId: string, ref: LayerRef & { version: number }) => {
    const found = await store.get(ref.accountId, ref.name, ref.version);
    const arn = layerVersionArn(region, ref);
    if (ref.accountId !== accountId) {
      if (!found || !allowsUse(found.accountId, found.policy, accountId))
        throw denied(accountId, GET_LAYER_VERSION, arn);
    } else if (!found) throw notFound(arn);
    return found;
  };

  const revisioned = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof RevisionMismatchError) throw preconditionFailed();
      throw err;
    }
  };

  return {
    async publish(accountId, layerName, body) {
      const ref = parseLayerName(layerName, accountId, region);
      if (ref.accountId !== accountId) {
        throw denied(
          accountId,
          "lambda:PublishLayerVersion",
          `arn:aws:lambda:${region}:${ref.accountId}:layer:${ref.name}`,
        );
      }
      refuseUnsupportedLayerInput(body);
      const input = parseInput(PublishLayerVersionSchema, body);
      const zip = decodeZip(input.Content.ZipFile, "Content.ZipFile");
      const entries = await zipEntries(zip, "Content.ZipFile");
      return store.publish({
        accountId,
        layerName: ref.name,
        description: input.Description,
        ...(input.LicenseInfo !== undefined ? { licenseInfo: input.LicenseInfo } : {}),
        compatibleRuntimes: input.CompatibleRuntimes,
        compatibleArchitectures: input.CompatibleArchitectures,
        sha256Hex: createHash("sha256").update(zip).digest("hex"),
        codeSize: zip.length,
        unzippedSize: unzippedSize(entries),
        zip,
      });
    },
    get(accountId, layerName, version) {
      const ref = parseLayerName(layerName, accountId, region);
      return readable(accountId, { ...ref, version: parseVersionNumber(version) });
    },
    getByArn(accountId, arn) {
      const ref = parseLayerVersionArn(arn, region);
      if (!ref) throw errors.invalidParameter(`Invalid value for Arn: ${JSON.stringify(arn.slice(0, 200))}`);
      return readable(accountId, ref);
    },
    listLayers: (accountId, filter, marker, maxItems) => store.listLayers(accountId, filter, marker, maxItems),
    async listVersions(accountId, layerName, filter, marker, maxItems) {
      const ref = parseLayerName(layerName, accountId, region);
      // Another account's versions are not listed (Lambda lists only the caller's own).
      if (ref.accountId !== accountId) return { items: [] };
      return store.listVersions(accountId, ref.name, filter, marker, maxItems);
    },
    async delete(accountId, layerName, version) {
      const ref = own(accountId, layerName, version, "lambda:DeleteLayerVersion");
      await store.deleteVersion(accountId, ref.name, ref.version);
    },
    async addPermission(accountId, layerName, version, body, revisionId) {
      const ref = own(accountId, layerName, version, "lambda:AddLayerVersionPermission");
      refuseUnsupportedLayerInput(body);
      const input = parseInput(AddLayerPermissionSchema, body);
      const statement = { sid: input.StatementId, principal: principalAccount(input.Principal), action: input.Action };
      const layer = await revisioned(() =>
        store.updatePolicy(accountId, ref.name, ref.version, (p) => addStatement(p, statement), revisionId),
      );
      if (!layer) throw notFound(layerVersionArn(region, ref));
      return { layer, sid: statement.sid };
    },
    async removePermission(accountId, layerName, version, sid, revisionId) {
      const ref = own(accountId, layerName, version, "lambda:RemoveLayerVersionPermission");
      const layer = await revisioned(() =>
        store.updatePolicy(accountId, ref.name, ref.version, (p) => removeStatement(p, sid), revisionId),
      );
      if (!layer) throw notFound(layerVersionArn(region, ref));
    },
    async getPolicy(accountId, layerName, version) {
      const ref = own(accountId, layerName, version, "lambda:GetLayerVersionPolicy");
      const layer = await store.get(accountId, ref.name, ref.version);
      if (!layer) throw notFound(layerVersionArn(region, ref));
      if (layer.policy.length === 0) throw errors.notFound("No policy is associated with the given resource.");
      return layer;
    },
  };
}
