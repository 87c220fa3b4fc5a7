// The function URL listener: a server of its own (STRATUS_URL_PORT) with the API's
// edge protections (header and request deadlines, header size cap, keep-alive), whose
// every request is a call to a function URL. Knows the base URL clients reach it by,
// once it listens (a port of 0 is chosen then).
import type { ByteBudget, Logger } from "@stratus/shared";
import type { Registry } from "prom-client";
import type { ControlPlaneConfig } from "../config.js";
import type { Access } from "../iam/access.js";
import type { InvokeService } from "../services/invoke-service.js";
import type { PolicyService } from "../services/policy-service.js";
import type { AccountStore } from "../store/account-store.js";
import { createUrlForms, type UrlForms } from "../urls/url-forms.js";
import type { UrlService } from "../urls/url-service.js";
import { cachedKeyLookup } from "./auth.js";
import { createEdgeServer } from "./edge-server.js";
import type { AccessLog } from "./request-log.js";
import { createSigV4Verifier } from "./sigv4.js";
import { createUrlHandler } from "./url-handler.js";
import { createUrlMetrics } from "./url-metrics.js";

export interface UrlListenerDeps {
  urls: UrlService;
  invoke: InvokeService;
  policies: PolicyService;
  accounts: AccountStore;
  budget: ByteBudget;
  registry: Registry;
  log: Logger;
  /** Each call's access line (request-log.ts). */
  access?: AccessLog;
  /** Checks roles' temporary credentials (session-credentials.ts in shared); absent, they are not known. */
  sessionKey?: Buffer;
  /** Judges callers signing as IAM principals (roles, users). */
  principals?: { access: Pick<Access, "check">; region: string };
}

export interface UrlListener {
  /** http(s)://host:port the listener is reached by. */
  base: string;
  forms: UrlForms;
  close(): Promise<void>;
}

/** A host to write in a URL: a wildcard address is reached on loopback; IPv6 goes in brackets. */
const reachable = (host: string) =>
  host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

export async function startUrlListener(config: ControlPlaneConfig, deps: UrlListenerDeps): Promise<UrlListener> {
  let base = config.urls.base ?? "";
  const forms = createUrlForms(() => base, config.region, config.urls.domain);
  const server = createEdgeServer(
    config.edge,
    createUrlHandler({
      urls: deps.urls,
      invoke: deps.invoke,
      policies: deps.policies,
      verifier: createSigV4Verifier(cachedKeyLookup(deps.accounts, Date.now, deps.sessionKey), "lambda", Date.now, {
        presigned: true,
      }),
      ...(deps.principals ? { principals: deps.principals } : {}),
      budget: deps.budget,
      counted: createUrlMetrics(deps.registry),
      log: deps.log,
      scheme: config.urls.base?.startsWith("https:") ? "https" : "http",
      ...(deps.access ? { access: deps.access } : {}),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.urls.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.urls.port;
  base ||= `http://${reachable(config.host)}:${port}`;
  return {
    base,
    forms,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
