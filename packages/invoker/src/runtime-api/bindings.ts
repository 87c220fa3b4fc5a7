// Who is calling the Runtime API: each function container's address bound to its
// session, each stem cell's to its stem gate, and since when. Docker assigns
// addresses and an unprivileged container cannot forge one, but it hands a stopped
// container's address on at once: a connection opened before the container now
// holding the address was started belongs to an earlier holder (a container being
// removed, whose runtime still asks for work) and is never taken for the new one.
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Session } from "./session.js";
import type { StemGate } from "./stem-gate.js";

/** How long a call may wait for its container's address to be bound while containers start. */
const BIND_WAIT_MS = 5_000;

/** Whose an address is, and since when (performance.now() at its container's start). */
interface Binding<T> {
  value: T;
  since: number;
}

export function callerIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
}

export class Bindings {
  private readonly sessions = new Map<string, Binding<Session>>();
  private readonly stems = new Map<string, Binding<StemGate>>();
  /** When each connection was opened (performance.now()). */
  private readonly openedAt = new WeakMap<Socket, number>();
  private readonly bound = new EventEmitter().setMaxListeners(0);
  private starting = 0;

  /** Call for each new connection, as it opens. */
  opened(socket: Socket): void {
    this.openedAt.set(socket, performance.now());
  }

  bind(ip: string, session: Session, since: number): void {
    this.sessions.set(ip, { value: session, since });
    this.bound.emit("bound");
  }

  unbind(ip: string, session: Session): void {
    if (this.sessions.get(ip)?.value === session) this.sessions.delete(ip);
  }

  bindStem(ip: string, gate: StemGate, since: number): void {
    this.stems.set(ip, { value: gate, since });
    this.bound.emit("bound");
  }

  unbindStem(ip: string, gate: StemGate): void {
    if (this.stems.get(ip)?.value === gate) this.stems.delete(ip);
  }

  expectContainer(): () => void {
    this.starting++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.starting--;
      this.bound.emit("bound");
    };
  }

  /** The session of the container calling at `ip` over `req`'s connection, if it has one. */
  sessionOf(req: IncomingMessage, ip: string): Promise<Session | undefined> {
    return this.boundTo(req, ip, this.sessions);
  }

  /** The stem gate of the stem cell calling at `ip` over `req`'s connection, if it has one. */
  stemOf(req: IncomingMessage, ip: string): Promise<StemGate | undefined> {
    return this.boundTo(req, ip, this.stems);
  }

  private async boundTo<T>(req: IncomingMessage, ip: string, map: Map<string, Binding<T>>): Promise<T | undefined> {
    const opened = this.openedAt.get(req.socket) ?? Number.NEGATIVE_INFINITY;
    const deadline = Date.now() + BIND_WAIT_MS;
    // A runtime may call before its container's address is known: wait for it.
    while (!map.has(ip) && this.starting > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.bound.once("bound", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const binding = map.get(ip);
    // Opened before the holder's container started: an earlier holder of the address.
    return binding && binding.since <= opened ? binding.value : undefined;
  }
}
