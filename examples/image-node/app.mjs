// The function: echoes its event with a few facts about where it ran.
import { readFileSync } from "node:fs";

export const handler = async (event, context) => {
  if (event?.fail) throw new TypeError("asked to fail");
  return {
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    version: process.env.IMAGE_VERSION ?? "unknown",
    handler: process.env._HANDLER,
    uid: process.getuid(),
    memoryLimit: readCgroupMemory(),
  };
};

function readCgroupMemory() {
  try {
    return readFileSync("/sys/fs/cgroup/memory.max", "utf8").trim();
  } catch {
    return undefined;
  }
}
