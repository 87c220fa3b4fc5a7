// The ExecutionStore contract in memory, for the driver's unit tests: the same
// compare-and-set append, claim with a lease and release as the Postgres store, on a
// clock the test moves; given machines' logging, it keeps the log lines each insert writes.
import type { NewAsyncInvocation } from "../store/async-store.js";
import {
  closingFields,
  closingStatus,
  type ExecutionRow,
  type ExecutionStore,
  type IssuedToken,
  type TaskLink,
  type TaskWrites,
} from "../store/execution-store.js";
import type { MachineLogging } from "../store/sfn-machine-store.js";
import { appendedLines, type LogBatch } from "./execution-logs.js";
import type { HistoryEvent } from "./types.js";

interface Entry {
  row: ExecutionRow;
  history: HistoryEvent[];
  wakeAt?: number;
  lease?: { owner: string; until: number };
}

export class MemoryExecutionStore implements ExecutionStore {
  readonly entries = new Map<string, Entry>();
  private readonly tasks: TaskLink[] = [];

  /** The log lines written, in order, with the account they were written for. */
  readonly lines: (LogBatch & { accountId: string })[] = [];

  constructor(
    readonly clock: { now: number } = { now: Date.now() },
    private readonly logging: (machineArn: string) => MachineLogging | undefined = () => undefined,
  ) {}

  private log(row: ExecutionRow, events: HistoryEvent[]) {
    const batch = appendedLines(row, this.logging(row.machineArn), events);
    if (batch) this.lines.push({ accountId: row.accountId, ...batch });
  }

  async create(e: Parameters<ExecutionStore["create"]>[0]) {
    const found = [...this.entries.values()].find((x) => x.row.machineArn === e.machineArn && x.row.name === e.name);
    if (found) return { created: false, row: { ...found.row } };
    const { started, ...fields } = e;
    const row: ExecutionRow = { ...fields, status: "RUNNING", startDate: new Date(this.clock.now), historyLength: 1 };
    this.entries.set(e.arn, { row, history: [started], wakeAt: this.clock.now });
    this.log(row, [started]);
    return { created: true, row: { ...row } };
  }

  async get(arn: string) {
    const e = this.entries.get(arn);
    return e ? { ...e.row } : undefined;
  }

  async list(machineArn: string, status: ExecutionRow["status"] | undefined, limit: number, after?: string) {
    const rows = [...this.entries.values()]
      .map((e) => e.row)
      .filter((r) => r.machineArn === machineArn && (!status || r.status === status))
      .sort((a, b) => b.arn.localeCompare(a.arn))
      .filter((r) => after === undefined || r.arn < after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { executions: page, ...(rows.length > limit && last ? { next: last.arn } : {}) };
  }

  async read(arn: string) {
    return [...(this.entries.get(arn)?.history ?? [])];
  }

  async append(
    arn: string,
    expectedLength: number,
    events: HistoryEvent[],
    wakeNow: boolean,
    tokens: IssuedToken[] = [],
  ) {
    const e = this.entries.get(arn);
    if (e?.row.status !== "RUNNING" || e.history.length !== expectedLength) return false;
    e.history.push(...events);
    for (const { token, effectKey } of tokens)
      if (!this.tasks.some((x) => x.token === token))
        this.tasks.push({ executionArn: arn, accountId: e.row.accountId, effectKey, token });
    e.row.historyLength = e.history.length;
    const last = events[events.length - 1];
    const status = last && closingStatus(last);
    if (status && last) {
      Object.assign(e.row, { status, stopDate: new Date(this.clock.now) }, closingFields(last));
      e.wakeAt = undefined;
    } else if (wakeNow) e.wakeAt = this.clock.now;
    this.log(e.row, events);
    return true;
  }

  async claim(owner: string, limit: number, leaseMs: number) {
    const now = this.clock.now;
    const due = [...this.entries.values()]
      .filter((e) => e.row.status === "RUNNING" && e.wakeAt !== undefined && e.wakeAt <= now)
      .filter((e) => !e.lease || e.lease.until < now)
      .slice(0, limit);
    for (const e of due) e.lease = { owner, until: now + leaseMs };
    return due.map((e) => ({ ...e.row }));
  }

  async release(arn: string, owner: string, seenLength: number, wakeAt: Date | undefined) {
    const e = this.entries.get(arn);
    if (!e || e.lease?.owner !== owner) return;
    e.lease = undefined;
    if (e.row.status !== "RUNNING") e.wakeAt = undefined;
    else e.wakeAt = e.history.length !== seenLength ? this.clock.now : wakeAt?.getTime();
  }

  /** Invocations accepted, once per id, as the async path's derived ids make them. */
  readonly accepted: NewAsyncInvocation[] = [];

  async acceptTask(t: TaskLink, invocation?: NewAsyncInvocation) {
    if (invocation && !this.accepted.some((i) => i.id === invocation.id)) this.accepted.push(invocation);
    if (!this.tasks.some((x) => x.invocationId === t.invocationId && x.token === t.token)) this.tasks.push(t);
  }

  /** Service-integration tasks' writes, once per (execution, effect). */
  readonly calls = new Map<string, TaskWrites>();

  async acceptCall(t: TaskLink, writes: TaskWrites) {
    const key = `${t.executionArn}/${t.effectKey}`;
    const fresh = !this.calls.has(key);
    if (fresh) this.calls.set(key, writes);
    if (t.token && !this.tasks.some((x) => x.token === t.token)) this.tasks.push(t);
    return fresh;
  }

  async taskOfInvocation(invocationId: string) {
    return this.tasks.find((t) => t.invocationId === invocationId);
  }

  async purgeEnded(before: Date, limit: number, expressOnly = false) {
    const gone = [...this.entries.values()]
      .filter((e) => e.row.stopDate && e.row.stopDate.getTime() < before.getTime())
      .filter((e) => !expressOnly || e.row.arn.includes(":express:"))
      .slice(0, limit);
    for (const e of gone) this.entries.delete(e.row.arn);
    return gone.length;
  }

  async taskOfToken(token: string) {
    return this.tasks.find((t) => t.token === token);
  }

  private readonly beats = new Map<string, number>();

  async heartbeat(token: string, at: Date) {
    const t = this.tasks.find((x) => x.token === token);
    if (t) this.beats.set(`${t.executionArn}|${t.effectKey}`, at.getTime());
  }

  async heartbeats(executionArn: string) {
    const out: Record<string, number> = {};
    for (const t of this.tasks) {
      const at = this.beats.get(`${t.executionArn}|${t.effectKey}`);
      if (t.executionArn === executionArn && at !== undefined) out[t.effectKey] = at;
    }
    return out;
  }
}
