// Freezing a container through its own cgroup's freezer (v1 freezer.state, v2
// cgroup.freeze): a file write, where the engine's pause is a round trip through
// dockerd, containerd and runc (some 30 ms here, and seconds under load, when every
// idle container of a busy node is frozen and thawed). The engine's own removal
// thaws what it kills, so a container frozen this way is removed as any other. A
// freeze that does not take (the kernel still FREEZING after a moment: thousands of
// processes forking) is undone and reported, as the engine's pause reports it. The
// writes go through libuv's threads: a write to freezer.state took some 2 ms here,
// which a synchronous write would take from every other invoke on the event loop.
import { readFile, writeFile } from "node:fs/promises";

/** How long a freeze may take to settle, and how often it is looked at. */
const SETTLE_MS = 2_000;
const LOOK_EVERY_MS = 2;

interface Layout {
  /** The file written to freeze and thaw, and what is written. */
  control: string;
  frozen: string;
  thawed: string;
  /** The file that says whether the freeze took, and the text it then holds. */
  state: string;
  settled: RegExp;
}

function layouts(root: string, id: string): Layout[] {
  const v1 = [`${root}/freezer/docker/${id}`, `${root}/freezer/system.slice/docker-${id}.scope`].map((d) => ({
    control: `${d}/freezer.state`,
    frozen: "FROZEN",
    thawed: "THAWED",
    state: `${d}/freezer.state`,
    settled: /^FROZEN/,
  }));
  const v2 = [`${root}/system.slice/docker-${id}.scope`, `${root}/docker/${id}`].map((d) => ({
    control: `${d}/cgroup.freeze`,
    frozen: "1",
    thawed: "0",
    state: `${d}/cgroup.events`,
    settled: /^frozen 1$/m,
  }));
  return [...v1, ...v2];
}

async function write(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text);
    return true;
  } catch {
    return false;
  }
}

export class FreezerFiles {
  /** Per container, the layout whose control file took a write. */
  private readonly found = new Map<string, Layout>();

  constructor(private readonly root: string) {}

  /** Freezes `id`: true once frozen, false when its freezer cannot be written here; throws when the freeze does not take. */
  async freeze(id: string): Promise<boolean> {
    // The layout found at the container's first freeze, else the first whose file takes the write.
    const candidates = [this.found.get(id) ?? layouts(this.root, id)].flat();
    let layout: Layout | undefined;
    for (const l of candidates) {
      if (await write(l.control, l.frozen)) {
        layout = l;
        break;
      }
    }
    if (!layout) return false;
    this.found.set(id, layout);
    const deadline = performance.now() + SETTLE_MS;
    for (;;) {
      let state = "";
      try {
        state = await readFile(layout.state, "latin1");
      } catch {
        throw new Error(`container ${id.slice(0, 12)} is gone`);
      }
      if (layout.settled.test(state)) return true;
      if (performance.now() > deadline) {
        await write(layout.control, layout.thawed);
        throw new Error(`unable to freeze container ${id.slice(0, 12)}: still freezing after ${SETTLE_MS} ms`);
      }
      await new Promise((r) => setTimeout(r, LOOK_EVERY_MS));
    }
  }

  /** Thaws `id`: true when done here, false when it was not frozen through its file. */
  async thaw(id: string): Promise<boolean> {
    const layout = this.found.get(id);
    if (!layout) return false;
    if (!(await write(layout.control, layout.thawed))) throw new Error(`could not thaw container ${id.slice(0, 12)}`);
    return true;
  }

  forget(id: string): void {
    this.found.delete(id);
  }
}
