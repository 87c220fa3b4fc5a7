import { backendConformance } from "../testing/backend-conformance.js";
import { FakeBackend } from "./fake-backend.js";

/** The engine's verdict on an exit, told a moment after it (as Docker's oom event can be). */
const toldLater = (oomKilled: boolean) => new Promise<boolean>((resolve) => setTimeout(() => resolve(oomKilled), 10));

backendConformance("fake", async () => {
  const backend = new FakeBackend();
  return {
    backend,
    network: "net",
    async prepare(program, labels = {}) {
      const spec = {
        image: "fake",
        env: { FAKE: "1" },
        labels,
        memoryMb: 64,
        ephemeralStorageMb: 16,
        codeDir: "/nowhere",
        network: "net",
      };
      // The test plays the container's process as its program would run.
      const release = async (id: string) => {
        const c = backend.get(id);
        if (program.kind === "hog-memory") c.exit(137, toldLater(true));
        // The kernel refuses a fork a moment after the program starts filling its process table.
        if (program.kind === "fill-processes") setTimeout(() => (c.forkRefusals = 1), 10);
        if (program.kind !== "exit") return;
        if (program.stdout) c.stdout.write(`${program.stdout}\n`);
        if (program.stderr) c.stderr.write(`${program.stderr}\n`);
        c.exit(program.exitCode);
      };
      return { spec, release };
    },
    close: async () => undefined,
  };
});
