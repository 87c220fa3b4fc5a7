// How a node stops taking work without failing a call placed on it. Control planes
// place from a node list they cache (nodeRegistry.listCacheMs), so for a while after the
// drain is announced calls still come, some on keep-alive connections already open. The
// server keeps them open for that notice, refusing each call as a full node does (429
// CapacityExceeded, Connection: close: the caller tries another node), and only then
// stops listening and closes its idle connections; in-flight calls finish.
import type { Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** Call once the server refuses new calls (its isDraining() is true); resolves when every connection is closed. */
export async function drainServer(server: Server, noticeMs: number): Promise<void> {
  await sleep(noticeMs);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
