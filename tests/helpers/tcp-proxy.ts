// A loopback TCP proxy for fault tests, put between a process and Redis or Postgres.
// It learns each Redis connection's client name from the CLIENT SETNAME the client
// sends when it connects (a Postgres connection has none), and can freeze chosen
// connections: it stops reading both of their sockets and passes nothing on, not even
// a close, so that each end sees a peer that has stopped answering without going away
// (a network partition, a NAT that dropped the flow). Connections opened later pass
// normally, unless it hangs: then every connection, open or new, is frozen (a server
// stopped with SIGSTOP, whose kernel still accepts connections), until it thaws.
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  /** The loopback port it listens on. */
  port: number;
  /** Freezes the open connections whose client name `match`es; returns how many. */
  freeze(match: (name: string | undefined) => boolean): number;
  /** Breaks the frozen connections, as a peer's timeout finally would: both ends see them close. Returns how many. */
  cut(): number;
  /** Freezes every open connection and every one opened until `thaw`; returns how many were open. */
  hang(): number;
  /**
   * Ends a hang and lets the frozen connections pass again, as a stopped server that
   * resumes would: what each end sent meanwhile arrives now. A connection that one
   * end closed meanwhile is closed at the other. Returns how many resumed.
   */
  thaw(): number;
  /** The client names of the open connections (undefined: not named), for failure messages. */
  names(): (string | undefined)[];
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  name: string | undefined;
  /** The first bytes the client sent, searched for its name. */
  head: string;
  frozen: boolean;
}

/** RESP of CLIENT SETNAME <name>, in any case. */
const SETNAME = /setname\r\n\$\d+\r\n([^\r]*)\r\n/i;

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let hanging = false;
  const freezeLink = (link: Link) => {
    link.frozen = true;
    link.client.pause();
    link.upstream.pause();
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const link: Link = { client, upstream, name: undefined, head: "", frozen: false };
    links.add(link);
    if (hanging) freezeLink(link);
    client.on("data", (chunk: Buffer) => {
      if (link.name === undefined && link.head.length < 4096) {
        link.head += chunk.toString("latin1");
        link.name = SETNAME.exec(link.head)?.[1];
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    // A frozen link passes nothing on, an end or a close included.
    client.on("end", () => link.frozen || upstream.end());
    upstream.on("end", () => link.frozen || client.end());
    const drop = () => {
      if (link.frozen) return;
      client.destroy();
      upstream.destroy();
      links.delete(link);
    };
    for (const s of [client, upstream]) {
      s.on("error", drop);
      s.on("close", drop);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    freeze(match) {
      let n = 0;
      for (const link of links) {
        if (link.frozen || !match(link.name)) continue;
        freezeLink(link);
        n++;
      }
      return n;
    },
    cut() {
      let n = 0;
      for (const link of links) {
        if (!link.frozen) continue;
        link.client.destroy();
        link.upstream.destroy();
        links.delete(link);
        n++;
      }
      return n;
    },
    hang() {
      hanging = true;
      let n = 0;
      for (const link of links) {
        if (link.frozen) continue;
        freezeLink(link);
        n++;
      }
      return n;
    },
    thaw() {
      hanging = false;
      let n = 0;
      for (const link of links) {
        if (!link.frozen) continue;
        link.frozen = false;
        if (link.client.destroyed || link.upstream.destroyed) {
          link.client.destroy();
          link.upstream.destroy();
          links.delete(link);
          continue;
        }
        link.client.resume();
        link.upstream.resume();
        n++;
      }
      return n;
    },
    names: () => [...links].map((l) => l.name),
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
