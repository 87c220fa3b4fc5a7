// An HTTP proxy in front of a Stratus endpoint that runs a test's hook before it
// forwards each request, e.g. to make a racing update land at an exact moment.
// Requests go on unchanged (Host header included), so their SigV4 signatures hold.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpProxy {
  url: string;
  close(): Promise<void>;
}

export async function startProxy(
  target: string,
  before: (req: http.IncomingMessage) => Promise<void>,
): Promise<HttpProxy> {
  const to = new URL(target);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      await before(req);
    } catch (err) {
      res.writeHead(599).end(String(err));
      return;
    }
    const out = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    out.end(Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
