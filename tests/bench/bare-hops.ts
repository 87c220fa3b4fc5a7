// A reference row for the warm-overhead table: the two HTTP hops the platform's path
// adds over the direct round trip (client → control plane, control plane → invoker),
// with nothing else. A node:http server that reads the body and forwards it, with the
// same undici exchange the control plane uses, to a node:http server that echoes it;
// both in this process, as the bench's control plane and invoker are.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exchange } from "@stratus/control-plane";
import { limits, readBody } from "@stratus/shared";
import { Agent } from "undici";

export interface BareHops {
  /** Sends `body` through both hops; resolves with what came back. */
  send(body: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

const read = (req: IncomingMessage) => readBody(req, limits.syncPayloadBytes);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startBareHops(): Promise<BareHops> {
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  const echo = createServer((req, res) => {
    read(req).then(
      (body) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
        res.end(body);
      },
      () => res.destroy(),
    );
  });
  const back = await listen(echo);
  const forward = createServer((req, res) => {
    read(req)
      .then((body) => exchange(agent, { origin: back, path: "/", method: "POST", headers: {}, body }))
      .then(
        (answer) => {
          res.writeHead(answer.statusCode, {
            "content-type": "application/json",
            "content-length": answer.body.length,
          });
          res.end(answer.body);
        },
        // A failed hop fails the caller's exchange, and so the row.
        () => res.destroy(),
      );
  });
  const front = await listen(forward);
  return {
    async send(body) {
      const res = await exchange(agent, { origin: front, path: "/", method: "POST", headers: {}, body });
      return res.body;
    },
    async close() {
      await agent.close();
      for (const server of [forward, echo]) await new Promise((resolve) => server.close(resolve));
    },
  };
}
