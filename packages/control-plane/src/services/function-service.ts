// Function lifecycle: create, read, list, update code and configuration, publish
// versions, delete. Scoped by the caller's account, which comes from the verified
// credential, never from the request body. Every refusal happens before anything is
// stored.

import { createHash, randomUUID } from "node:crypto";
import { errors, LATEST, type Retirement } from "@stratus/shared";
import { type FunctionVersion, type Page, RevisionMismatchError } from "../domain.js";
import { anyRole, type RoleCheck } from "../iam/execution-role.js";
import { checkUnzippedTotal, type FunctionLayers, noFunctionLayers } from "../layers/function-layers.js";
import { isVersionQualifier } from "../routing/alias-routing.js";
import type { AliasStore } from "../store/alias-store.js";
import type { FunctionStore } from "../store/function-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { type DeadLetterRefs, deadLetterTargetOf } from "./dead-letter-input.js";
import { CreateFunctionSchema, checkEnvironment, checkHandlerCode, parseInput } from "./function-input.js";
import { checkImageSettled, newImageFunction, updateImageCode } from "./image-functions.js";
import { imageConfigOf, refuseImageConfigOnZip, refuseZipOnlyFields } from "./image-input.js";
import { loggingOf } from "./logging-input.js";
import {
  refuseUnsupportedCode,
  refuseUnsupportedConfiguration,
  refuseUnsupportedCreate,
  refuseUnsupportedPublish,
} from "./unsupported-params.js";
import { PublishVersionSchema, TagsSchema, UpdateCodeSchema, UpdateConfigurationSchema } from "./update-input.js";
import { decodeZip, unzippedSize, zipEntries } from "./zip-input.js";

export interface FunctionService {
  create(accountId: string, body: unknown): Promise<FunctionVersion>;
  /** A version ($LATEST when no qualifier) or the version an alias points at. */
  get(accountId: string, name: string, qualifier?: string): Promise<FunctionVersion>;
  list(accountId: string, marker: string | undefined, maxItems: number): Promise<Page<FunctionVersion>>;
  updateCode(accountId: string, name: string, body: unknown): Promise<FunctionVersion>;
  updateConfiguration(accountId: string, name: string, body: unknown): Promise<FunctionVersion>;
  publish(accountId: string, name: string, body: unknown): Promise<FunctionVersion>;
  listVersions(
    accountId: string,
    name: string,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<FunctionVersion>>;
  delete(accountId: string, name: string, qualifier?: string): Promise<void>;
  getCode(sha256Hex: string): Promise<Buffer | undefined>;
}

/** How the function service hands image functions to the image preparer (images/image-preparer.ts). */
export interface ImageSettler {
  /** An image function's $LATEST was created or pointed at a new image: settle it soon. */
  changed(): void;
  /** Whether ImageUris without a registry host (images already on the nodes) are allowed (STRATUS_LOCAL_IMAGES). */
  localImages?: boolean;
  /** Settles `name`'s $LATEST image now (resolve, pull on the nodes); resolves once it has, either way. */
  settle(accountId: string, name: string): Promise<void>;
}

const noImages: ImageSettler = { changed: () => undefined, settle: async () => undefined };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const preconditionFailed = () =>
  errors.preconditionFailed(
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
  );

async function checkingRevision<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof RevisionMismatchError) throw preconditionFailed();
    throw err;
  }
}

/**
 * `retired` is told of what this service makes uninvokable: a function deleted (no
 * version: this control plane forgets its concurrency reservation at once), a version
 * deleted, or $LATEST replaced by a new revision; invokers then remove the
 * containers that ran it. `layers` resolves the Layers a function names; `roles`
 * checks the Role it names (iam/execution-role.ts); `deadLetters` checks its
 * DeadLetterConfig's queue or topic.
 */
export function createFunctionService(
  store: FunctionStore,
  aliases: AliasStore,
  settings: SettingsStore,
  region: string,
  retired: (r: Retirement) => void = () => {},
  layers: FunctionLayers = noFunctionLayers,
  images: ImageSettler = noImages,
  roles: RoleCheck = anyRole,
  deadLetters: DeadLetterRefs = {},
): FunctionService {
  const notFound = (accountId: string, name: string, qualifier?: string) => {
    const q = qualifier && qualifier !== LATEST ? `:${qualifier}` : "";
    return errors.notFound(`Function not found: arn:aws:lambda:${region}:${accountId}:function:${name}${q}`);
  };
  const latest = async (accountId: string, name: string) => {
    const fn = await store.get(accountId, name, LATEST);
    if (!fn) throw notFound(accountId, name);
    return fn;
  };

  const service: FunctionService = {
    async create(accountId, body) {
      refuseUnsupportedCreate(body);
      if (isObject(body) && body.PackageType === "Image") {
        const { fn, tags, publish } = newImageFunction(accountId, body, images.localImages === true);
        const deadLetterTarget = await deadLetterTargetOf(accountId, body, deadLetters);
        const created = await store.create({ ...fn, ...(deadLetterTarget ? { deadLetterTarget } : {}) });
        if (!created) throw errors.conflict(`Function already exist: ${fn.name}`);
        if (tags) await settings.setTags(accountId, created.name, tags);
        if (!publish) {
          images.changed();
          return created;
        }
        // Publish: version 1 pins the image, so it waits for the image to be resolved.
        await images.settle(accountId, created.name);
        const settled = await latest(accountId, created.name);
        return settled.state === "Active" ? service.publish(accountId, created.name, {}) : settled;
      }
      if (isObject(body)) refuseImageConfigOnZip(body);
      const input = parseInput(CreateFunctionSchema.extend({ Tags: TagsSchema.shape.Tags.optional() }), body);
      checkEnvironment(input.Environment.Variables);
      const zip = decodeZip(input.Code.ZipFile);
      const entries = await zipEntries(zip);
      checkHandlerCode(input.Runtime, input.Handler, entries, input.Layers.length > 0);
      const used = await layers.resolve(accountId, input.Layers, input.Runtime);
      checkUnzippedTotal(unzippedSize(entries), used);
      await roles(accountId, input.Role);
      const deadLetterTarget = await deadLetterTargetOf(accountId, body, deadLetters);
      const created = await store.create({
        ...(deadLetterTarget ? { deadLetterTarget } : {}),
        accountId,
        name: input.FunctionName,
        runtime: input.Runtime,
        handler: input.Handler,
        role: input.Role,
        description: input.Description,
        memoryMb: input.MemorySize,
        timeoutSeconds: input.Timeout,
        ephemeralStorageMb: input.EphemeralStorage.Size,
        environment: input.Environment.Variables,
        codeSha256Hex: createHash("sha256").update(zip).digest("hex"),
        revisionId: randomUUID(),
        state: "Active",
        lastUpdate: { status: "Successful" },
        packageType: "Zip",
        layers: used,
        tracingMode: input.TracingConfig.Mode,
        logging: loggingOf(input.LoggingConfig),
        zip,
      });
      if (!created) throw errors.conflict(`Function already exist: ${input.FunctionName}`);
      if (input.Tags) await settings.setTags(accountId, created.name, input.Tags);
      return input.Publish ? service.publish(accountId, created.name, {}) : created;
    },
    async get(accountId, name, qualifier) {
      let version = qualifier ?? LATEST;
      if (!isVersionQualifier(version)) {
        const alias = await aliases.get(accountId, name, version);
        if (!alias) throw notFound(accountId, name, qualifier);
        version = alias.functionVersion;
      }
      const fn = await store.get(accountId, name, version);
      if (!fn) throw notFound(accountId, name, qualifier);
      return fn;
    },
    list: (accountId, marker, maxItems) => store.list(accountId, marker, maxItems),
    async updateCode(accountId, name, body) {
      refuseUnsupportedCode(body);
      const current = await latest(accountId, name);
      if (current.packageType === "Image") {
        const done = await checkingRevision(() =>
          updateImageCode(store, current, isObject(body) ? body : {}, images.localImages === true),
        );
        if (done.dryRun) return done.dryRun;
        if (!done.updated) throw notFound(accountId, name);
        retired({ accountId, functionName: name, version: LATEST, keepRevisionId: done.updated.revisionId });
        if (!done.publish) {
          images.changed();
          return done.updated;
        }
        await images.settle(accountId, name);
        const settled = await latest(accountId, name);
        return settled.lastUpdate.status === "Successful" ? service.publish(accountId, name, {}) : settled;
      }
      if (isObject(body) && body.ImageUri !== undefined) {
        throw errors.invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
      }
      const input = parseInput(UpdateCodeSchema, body);
      const zip = decodeZip(input.ZipFile);
      const entries = await zipEntries(zip);
      checkHandlerCode(current.runtime, current.handler, entries, current.layers.length > 0);
      checkUnzippedTotal(unzippedSize(entries), current.layers);
      const code = { zip, codeSha256Hex: createHash("sha256").update(zip).digest("hex") };
      if (input.DryRun) return { ...current, codeSha256Hex: code.codeSha256Hex, codeSize: zip.length };
      const updated = await checkingRevision(() => store.updateCode(accountId, name, code, input.RevisionId));
      if (!updated) throw notFound(accountId, name);
      retired({ accountId, functionName: name, version: LATEST, keepRevisionId: updated.revisionId });
      return input.Publish ? service.publish(accountId, name, {}) : updated;
    },
    async updateConfiguration(accountId, name, body) {
      refuseUnsupportedConfiguration(body, name);
      const current = await latest(accountId, name);
      if (isObject(body)) {
        if (current.packageType === "Image") refuseZipOnlyFields(body);
        else refuseImageConfigOnZip(body);
      }
      const input = parseInput(UpdateConfigurationSchema, body);
      if (input.Environment) checkEnvironment(input.Environment.Variables);
      if (input.Role !== undefined) await roles(accountId, input.Role);
      const deadLetterTarget = await deadLetterTargetOf(accountId, body, deadLetters);
      const runtime = input.Runtime ?? current.runtime;
      const handler = input.Handler ?? current.handler;
      const used = input.Layers && (await layers.resolve(accountId, input.Layers, runtime));
      if (!used && runtime !== current.runtime) await layers.checkRuntime(accountId, current.layers, runtime);
      if (current.packageType === "Zip" && (runtime !== current.runtime || handler !== current.handler || used)) {
        const zip = await store.getCode(current.codeSha256Hex);
        if (!zip) throw errors.service("The function's code is missing");
        const entries = await zipEntries(zip);
        checkHandlerCode(runtime, handler, entries, (used ?? current.layers).length > 0);
        if (used) checkUnzippedTotal(unzippedSize(entries), used);
      }
      const updated = await checkingRevision(() =>
        store.updateConfiguration(
          accountId,
          name,
          {
            ...(input.Runtime !== undefined ? { runtime: input.Runtime } : {}),
            ...(input.Role !== undefined ? { role: input.Role } : {}),
            ...(input.Handler !== undefined ? { handler: input.Handler } : {}),
            ...(input.Description !== undefined ? { description: input.Description } : {}),
            ...(input.Timeout !== undefined ? { timeoutSeconds: input.Timeout } : {}),
            ...(input.MemorySize !== undefined ? { memoryMb: input.MemorySize } : {}),
            ...(input.EphemeralStorage !== undefined ? { ephemeralStorageMb: input.EphemeralStorage.Size } : {}),
            ...(input.Environment !== undefined ? { environment: input.Environment.Variables } : {}),
            ...(used !== undefined ? { layers: used } : {}),
            ...(input.TracingConfig !== undefined ? { tracingMode: input.TracingConfig.Mode } : {}),
            ...(input.LoggingConfig !== undefined ? { logging: loggingOf(input.LoggingConfig, current.logging) } : {}),
            ...(deadLetterTarget !== undefined ? { deadLetterTarget } : {}),
            ...(input.ImageConfig !== undefined && current.image
              ? { image: { ...current.image, config: imageConfigOf(input.ImageConfig) } }
              : {}),
          },
          input.RevisionId,
        ),
      );
      if (!updated) throw notFound(accountId, name);
      retired({ accountId, functionName: name, version: LATEST, keepRevisionId: updated.revisionId });
      return updated;
    },
    async publish(accountId, name, body) {
      refuseUnsupportedPublish(body);
      const input = parseInput(PublishVersionSchema, body);
      checkImageSettled(await latest(accountId, name));
      let expectedCodeSha256Hex: string | undefined;
      if (input.CodeSha256 !== undefined) {
        expectedCodeSha256Hex = Buffer.from(input.CodeSha256, "base64").toString("hex");
      }
      const published = await checkingRevision(() =>
        store.publish(accountId, name, {
          description: input.Description,
          expectedRevision: input.RevisionId,
          expectedCodeSha256Hex,
        }),
      );
      if (!published) throw notFound(accountId, name);
      return published;
    },
    async listVersions(accountId, name, marker, maxItems) {
      await latest(accountId, name);
      return store.listVersions(accountId, name, marker, maxItems);
    },
    async delete(accountId, name, qualifier) {
      if (qualifier === undefined) {
        try {
          if (!(await store.delete(accountId, name))) throw notFound(accountId, name);
        } finally {
          // Also after a failure: a failed delete may still have committed.
          retired({ accountId, functionName: name });
        }
        return;
      }
      if (qualifier === LATEST)
        throw errors.invalidParameter("$LATEST version cannot be deleted without deleting the function.");
      if (!/^[0-9]+$/.test(qualifier))
        throw errors.invalidParameter("Deletion of aliases is not supported here: use DeleteAlias");
      const users = await aliases.referencing(accountId, name, qualifier);
      if (users.length > 0) {
        throw errors.conflict(
          `Unable to delete version because the following aliases reference it: [${users.join(", ")}]`,
        );
      }
      try {
        if (!(await store.deleteVersion(accountId, name, qualifier))) throw notFound(accountId, name, qualifier);
      } finally {
        retired({ accountId, functionName: name, version: qualifier });
      }
    },
    getCode: (sha256Hex) => store.getCode(sha256Hex),
  };
  return service;
}
