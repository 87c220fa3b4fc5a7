// An in-memory container engine with every capability the pool uses. Nothing runs
// in its containers: whoever drives it plays each container's process (it writes
// output, it exits, the kernel OOM-kills some of its processes), so the order of
// those signals is the driver's to choose. It keeps the core's contract
// (testing/backend-conformance.ts) as the Docker backend does.
import { PassThrough } from "node:stream";
import type {
  ContainerBackend,
  ContainerExit,
  ContainerSpec,
  Freezing,
  MemoryStats,
  Naming,
  OomKillCount,
  OomKillSource,
  PreparesAhead,
  ProcessLimit,
  Resizing,
  StartEnvironment,
} from "./container-backend.js";

/** One container of the fake engine, with the controls its process is played with. */
export class FakeContainer {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  started = false;
  removed = false;
  /** Whether its processes are frozen; `freezes` counts how often they were. */
  frozen = false;
  freezes = 0;
  /** The count of OOM-killed processes in the container; undefined: its cgroup is gone. */
  oomKills: number | undefined = 0;
  /** Where the engine counts them from. */
  oomSource: OomKillSource = "cgroup";
  /** Forks refused at its process limit so far; undefined: the engine cannot tell. */
  forkRefusals: number | undefined = 0;
  memoryMb: number;
  name: string;
  private ended: ContainerExit | undefined;
  private settleExit!: (exit: ContainerExit) => void;
  /** Settles when the container's process ends. */
  readonly exited = new Promise<ContainerExit>((resolve) => {
    this.settleExit = resolve;
  });

  constructor(
    readonly id: string,
    readonly ip: string,
    readonly spec: ContainerSpec,
  ) {
    this.memoryMb = spec.memoryMb;
    this.name = spec.name ?? `fake-${id}`;
  }

  /**
   * The container's process ends with `exitCode` (the first end counts); `oomKilled`
   * settles when the engine has told whether the kernel killed it for memory.
   */
  exit(exitCode: number, oomKilled: Promise<boolean> = Promise.resolve(false)): void {
    if (this.ended) return;
    this.ended = { exitCode, oomKilled };
    this.stdout.end();
    this.stderr.end();
    this.settleExit(this.ended);
  }

  /** How its process ended, once it has. */
  get stopped(): ContainerExit | undefined {
    return this.ended;
  }
}

export class FakeBackend
  implements ContainerBackend, MemoryStats, ProcessLimit, Resizing, Naming, Freezing, StartEnvironment, PreparesAhead
{
  readonly containers: FakeContainer[] = [];
  /** Containers the pool said had run their first invocation, in order. */
  readonly settledIds: string[] = [];
  private readonly waiting = new Set<() => void>();

  /** Container `id`; throws if the engine never made it. */
  get(id: string): FakeContainer {
    const c = this.containers.find((x) => x.id === id);
    if (!c) throw new Error(`no container ${id}`);
    return c;
  }

  /** The `n`th container made (counting from 1), once it has been started. */
  started(n: number): Promise<FakeContainer> {
    return new Promise((resolve) => {
      const look = () => {
        const c = this.containers[n - 1];
        if (!c?.started) return;
        this.waiting.delete(look);
        resolve(c);
      };
      this.waiting.add(look);
      look();
    });
  }

  async create(spec: ContainerSpec): Promise<string> {
    const n = this.containers.length + 1;
    this.containers.push(new FakeContainer(`c${n}`, `10.0.0.${n + 1}`, spec));
    return `c${n}`;
  }

  async attach(id: string) {
    const c = this.get(id);
    return { stdout: c.stdout, stderr: c.stderr };
  }

  async start(id: string): Promise<{ ip: string }> {
    const c = this.get(id);
    if (c.removed) throw new Error(`container ${id} was removed`);
    c.started = true;
    for (const look of [...this.waiting]) look();
    return { ip: c.ip };
  }

  wait(id: string): Promise<ContainerExit> {
    return this.get(id).exited;
  }

  async remove(id: string): Promise<void> {
    const c = this.containers.find((x) => x.id === id);
    if (!c) return;
    // A removal SIGKILLs a live container; that kill is ours, no OOM.
    c.exit(137, Promise.resolve(false));
    // The engine has its say on how the container stopped before it is deleted.
    await c.stopped?.oomKilled.catch(() => false);
    c.removed = true;
  }

  async listByLabels(labels: Record<string, string>): Promise<string[]> {
    const matches = (c: FakeContainer) => Object.entries(labels).every(([k, v]) => c.spec.labels[k] === v);
    return this.containers.filter((c) => !c.removed && matches(c)).map((c) => c.id);
  }

  async maxMemoryMb(): Promise<number | undefined> {
    return undefined;
  }

  async oomKills(id: string): Promise<OomKillCount | undefined> {
    const { oomKills: kills, oomSource: source } = this.get(id);
    if (kills === undefined) return undefined;
    return source === "none" ? { source } : { source, kills };
  }

  async forkRefusals(id: string): Promise<number | undefined> {
    return this.get(id).forkRefusals;
  }

  async resize(id: string, memoryMb: number): Promise<void> {
    this.get(id).memoryMb = memoryMb;
  }

  async rename(id: string, name: string): Promise<void> {
    const c = this.get(id);
    if (c.removed) throw new Error(`container ${id} was removed`);
    if (this.containers.some((x) => x !== c && !x.removed && x.name === name)) throw new Error(`name ${name} is taken`);
    c.name = name;
  }

  async freeze(id: string): Promise<void> {
    const c = this.get(id);
    if (c.removed || c.stopped) throw new Error(`container ${id} is not running`);
    if (c.frozen) throw new Error(`container ${id} is already paused`);
    c.frozen = true;
    c.freezes++;
  }

  async thaw(id: string): Promise<void> {
    const c = this.get(id);
    if (!c.frozen) throw new Error(`container ${id} is not paused`);
    c.frozen = false;
  }

  async nameOf(id: string): Promise<string> {
    return this.get(id).name;
  }

  async environment(id: string): Promise<Record<string, string>> {
    return { ...this.get(id).spec.env };
  }

  settled(id: string): void {
    this.settledIds.push(id);
  }

  preparing(): boolean {
    return false;
  }
}
