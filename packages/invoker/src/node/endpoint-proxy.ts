// The Stratus endpoint as function containers see it: a port on the functions
// network's gateway (the firewall lets them reach it beside the Runtime API) that
// forwards each request as it came, Host header and body untouched so that its
// SigV4 signature still holds, to the control plane. Containers cannot reach the
// control plane otherwise (it may be on another host; this one's ports are closed to
// them). Stratus' internal routes are not forwarded.
import { createServer, request, type Server } from "node:http";
import type { Logger } from "@stratus/shared";

export interface EndpointProxy {
  /** http://host:port, for AWS_ENDPOINT_URL_<SERVICE>. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startEndpointProxy(
  host: string,
  controlPlaneUrl: string,
  log: Pick<Logger, "warn">,
): Promise<EndpointProxy> {
  const target = new URL(controlPlaneUrl);
  const server: Server = createServer((req, res) => {
    if ((req.url ?? "").startsWith("/internal/")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not found"}');
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      log.warn("endpoint proxy: the control plane did not answer", { err });
      if (!res.headersSent) {
        res
          .writeHead(502, { "content-type": "application/json", "x-amzn-errortype": "ServiceException" })
          .end('{"message":"The Stratus endpoint is not reachable from this node"}');
      } else res.destroy();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
