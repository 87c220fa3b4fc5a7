// Cold start: the first invoke of a function version that has no container yet,
// through the whole platform (a container created from scratch, its runtime started,
// the handler loaded, the event run), beside `docker run` of the same runtime image
// measured in the same run (create, start, Node starting and exiting, through the
// Engine API).
import { randomUUID } from "node:crypto";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { runtimes } from "@stratus/shared";
import Docker from "dockerode";
import type { Stack } from "../helpers/stack.js";
import { nodeFunction } from "../helpers/zip.js";
import { type Summary, summarize } from "./stats.js";

export interface ColdStartResult {
  platform: Summary;
  dockerRun: Summary;
}

export async function measureColdStarts(stack: Stack, n: number): Promise<ColdStartResult> {
  const docker = new Docker();
  const zip = await nodeFunction("exports.handler = async (event) => event;");
  const platform: number[] = [];
  const dockerRun: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = `bench-cold-${randomUUID().slice(0, 8)}`;
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::123456789012:role/bench",
        Handler: "index.handler",
        Code: { ZipFile: zip },
      }),
    );
    let t0 = performance.now();
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    if (out.FunctionError) throw new Error("cold invoke failed");
    platform.push(performance.now() - t0);

    t0 = performance.now();
    const container = await docker.createContainer({
      Image: runtimes["nodejs20.x"].image,
      Entrypoint: ["/usr/local/bin/node", "-e", "0"],
      HostConfig: { Memory: 128 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024 },
    });
    await container.start();
    await container.wait();
    dockerRun.push(performance.now() - t0);
    await container.remove({ force: true });
  }
  return { platform: summarize(platform), dockerRun: summarize(dockerRun) };
}
