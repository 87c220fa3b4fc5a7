// What every command runs with: where its output goes and (made on first use, so
// that init and completion need no credentials) the SDK clients.
import { type Clients, createClients, type GlobalFlags } from "./clients.js";
import type { Io, OutputMode } from "./output.js";

export interface Context {
  io: Io;
  clients(): Clients;
  /** Closes the clients' connections, if any were made. */
  close(): void;
}

export function createContext(flags: GlobalFlags & { output: OutputMode }, streams: Omit<Io, "mode">): Context {
  let clients: Clients | undefined;
  return {
    io: { mode: flags.output, ...streams },
    clients: () => {
      clients ??= createClients(flags);
      return clients;
    },
    close: () => {
      clients?.lambda.destroy();
      clients?.scheduler.destroy();
    },
  };
}
