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

/** The container's memory cap in bytes, from its cgroup (v2, else v1). */
function readCgroupMemory() {
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      return readFileSync(file, "utf8").trim();
    } catch {
      // not this cgroup version
    }
  }
  return undefined;
}
