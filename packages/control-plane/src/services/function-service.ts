// Function lifecycle: create (validate input and zip, store code and $LATEST in one
// transaction), get, list, delete. Scoped by the caller's account, which comes from
// the verified credential, never from the request body.
import { createHash, randomUUID } from "node:crypto";
import { errors, LATEST, limits, readZip, ZipError } from "@stratus/shared";
import type { FunctionVersion, Page } from "../domain.js";
import type { FunctionStore } from "../store/function-store.js";
import { CreateFunctionSchema, checkEnvironment, handlerFiles, parseInput } from "./function-input.js";

export interface FunctionService {
  create(accountId: string, body: unknown): Promise<FunctionVersion>;
  get(accountId: string, name: string, qualifier?: string): Promise<FunctionVersion>;
  list(accountId: string, marker: string | undefined, maxItems: number): Promise<Page<FunctionVersion>>;
  delete(accountId: string, name: string): Promise<void>;
  getCode(sha256Hex: string): Promise<Buffer | undefined>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeZip(encoded: string): Buffer {
  // Base64 of a 50 MB zip is about 67 MB of text; refuse before decoding.
  if (encoded.length > Math.ceil(limits.zippedCodeBytes / 3) * 4 + 4) {
    throw errors.tooLarge(`Code.ZipFile exceeds the ${limits.zippedCodeBytes} byte limit`);
  }
  const compact = encoded.replace(/\s+/g, "");
  if (!BASE64.test(compact)) throw errors.invalidParameter("Code.ZipFile must be base64");
  const zip = Buffer.from(compact, "base64");
  if (zip.length > limits.zippedCodeBytes) {
    throw errors.tooLarge(`Code.ZipFile exceeds the ${limits.zippedCodeBytes} byte limit`);
  }
  return zip;
}

async function checkZip(zip: Buffer, handler: string): Promise<void> {
  let names: Set<string>;
  try {
    const entries = await readZip(zip, {
      maxEntries: limits.zipEntries,
      maxUnzippedBytes: limits.unzippedCodeBytes,
      maxDepth: limits.zipPathDepth,
    });
    names = new Set(entries.filter((e) => !e.isDirectory).map((e) => e.name));
  } catch (err) {
    if (err instanceof ZipError) throw errors.invalidParameter(`Code.ZipFile: ${err.message}`);
    throw err;
  }
  if (!handlerFiles(handler).some((f) => names.has(f))) {
    throw errors.invalidParameter(`Handler ${handler}: no ${handlerFiles(handler).join(" / ")} in the zip`);
  }
}

export function createFunctionService(store: FunctionStore, region: string): FunctionService {
  return {
    async create(accountId, body) {
      const input = parseInput(CreateFunctionSchema, body);
      checkEnvironment(input.Environment.Variables);
      const zip = decodeZip(input.Code.ZipFile);
      await checkZip(zip, input.Handler);
      const created = await store.create({
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
        codeSize: zip.length,
        revisionId: randomUUID(),
        state: "Active",
        zip,
      });
      if (!created) throw errors.conflict(`Function already exist: ${input.FunctionName}`);
      return created;
    },
    async get(accountId, name, qualifier) {
      const fn = await store.get(accountId, name, qualifier ?? LATEST);
      if (!fn) throw notFound(region, accountId, name, qualifier);
      return fn;
    },
    list: (accountId, marker, maxItems) => store.list(accountId, marker, maxItems),
    async delete(accountId, name) {
      if (!(await store.delete(accountId, name))) throw notFound(region, accountId, name);
    },
    getCode: (sha256Hex) => store.getCode(sha256Hex),
  };
}

function notFound(region: string, accountId: string, name: string, qualifier?: string) {
  const q = qualifier && qualifier !== LATEST ? `:${qualifier}` : "";
  return errors.notFound(`Function not found: arn:aws:lambda:${region}:${accountId}:function:${name}${q}`);
}
