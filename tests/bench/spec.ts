// Deploys a benchmark function and builds the internal invoke spec the control plane
// would send for it, so a baseline can call an invoker (or its pool) directly.
import { CreateFunctionCommand, GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { InvokeSpec } from "@stratus/shared";
import { nodeFunction } from "../helpers/zip.js";

export const ECHO = "exports.handler = async (event) => event;";

export async function deployBenchFunction(
  lambda: LambdaClient,
  name: string,
  accountId: string,
  region: string,
  source = ECHO,
  timeoutSeconds = 3,
): Promise<InvokeSpec> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/bench",
      Handler: "index.handler",
      MemorySize: 128,
      Timeout: timeoutSeconds,
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
  const cfg = (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration;
  if (!cfg?.RevisionId || !cfg.CodeSha256 || !cfg.FunctionArn) throw new Error(`${name} has no revision`);
  return {
    accountId,
    functionName: name,
    functionArn: cfg.FunctionArn,
    version: "$LATEST",
    runtime: "nodejs20.x",
    handler: "index.handler",
    memoryMb: 128,
    timeoutSeconds,
    ephemeralStorageMb: 512,
    environment: {},
    codeSha256Hex: Buffer.from(cfg.CodeSha256, "base64").toString("hex"),
    layerSha256Hex: [],
    revisionId: cfg.RevisionId,
    region,
  };
}
