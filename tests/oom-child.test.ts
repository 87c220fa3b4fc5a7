// A process the runtime started is OOM-killed and the runtime lives on to answer
// (Node's handler spawns `node -e` that allocates past the cap and returns once it
// has died): the answer is the handler's, the kill is counted in the OOM-kill metric
// and noted in that invocation's log, and the container, whose memory ran out, is
// retired (the next invocation gets a new one). On a node that cannot read its
// containers' memory cgroups the same holds, the kill counted from the engine's oom
// events (one that comes after the answer is counted, noted and acted on at the
// container's next invocation), and the node says its OOM detection is degraded.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deployFunction, invokeFunction, storedLog } from "./helpers/functions.js";
import { metricValue } from "./helpers/metrics.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

describe.each([
  {
    node: "a node that reads its containers' cgroups",
    env: {} as Record<string, string>,
    degraded: { engine_events: 0, none: 0 },
    countsLate: false,
  },
  {
    node: "a node that cannot read them",
    // Nothing there: as for an invoker in a container without the host's cgroups mounted.
    env: { STRATUS_CGROUP_ROOT: path.join(tmpdir(), `stratus-no-cgroups-${randomBytes(4).toString("hex")}`) },
    degraded: { engine_events: 1, none: 0 },
    countsLate: true,
  },
])(
  "a child process OOM-killed during an invocation that the runtime outlives, on $node",
  ({ env, degraded, countsLate }) => {
    const stack = useStack(env);

    it("keeps the handler's answer, counts the kill, says so in the log and retires the container", async () => {
      const name = await deployFunction(stack, {
        runtime: "nodejs20.x",
        handler: "child-oom.handler",
        files: { "child-oom.js": await readFile(new URL("./fixtures/oom/child-oom.js", import.meta.url), "utf8") },
        config: { MemorySize: 128 },
      });
      const kills = () => metricValue(stack.invoker.url, "stratus_oom_kills_total", { function: name });

      const warm = await invokeFunction(stack, name);
      const host = warm.body.host;
      expect(typeof host).toBe("string");
      expect(await invokeFunction(stack, name)).toMatchObject({ body: { host } });

      const hog = await invokeFunction(stack, name, { hog: true });
      expect(hog.out.FunctionError, hog.text).toBeUndefined();
      expect(hog.body).toEqual({ host, child: { code: null, signal: "SIGKILL" } });
      const notice = "[stratus] a process in this function's sandbox was killed: out of memory (limit 128 MB)";
      // The invocation whose log notes the kill: the hog's own. On a node counting from
      // the engine's events the event can come after the answer (the fallback's known
      // limit); it is then counted at the container's next look, the next invocation's.
      let noted = hog;
      if (countsLate && (await kills()) === 0) {
        const deadline = Date.now() + 10_000;
        do noted = await invokeFunction(stack, name);
        while ((await kills()) === 0 && noted.body.host === host && Date.now() < deadline);
        expect(noted.body.host).toBe(host);
      }
      expect(await kills()).toBe(1);
      const log = (await storedLog(stack, noted.out.$metadata.requestId as string)).split("\n");
      expect(log).toContain(notice);
      if (noted === hog) {
        expect(log.indexOf(notice)).toBeGreaterThan(
          log.findIndex((l) => l.endsWith("starting a child that will run out of memory")),
        );
      }
      expect(log[log.indexOf(notice) + 1]).toMatch(/^END RequestId: /);

      // Retired: its container goes, and the next invocation runs in a new one.
      await until("the container retired", async () => stack.invoker.pool.containerIdsOf(name).length === 0, 15_000);
      const after = await invokeFunction(stack, name);
      expect(after.out.FunctionError).toBeUndefined();
      expect(after.body.host).not.toBe(host);
      const next = await storedLog(stack, after.out.$metadata.requestId as string);
      expect(next).not.toContain("[stratus]");
      expect(await kills()).toBe(1);
      const gauge = (fallback: string) =>
        metricValue(stack.invoker.url, "stratus_oom_detection_degraded", { fallback });
      expect({ engine_events: await gauge("engine_events"), none: await gauge("none") }).toEqual(degraded);
    });
  },
);
