// Test support: the Runtime API as the pool sees it, without a server: the sessions
// the pool binds, by container address, for a test to play each runtime with.
import type { RuntimeApiServer } from "../runtime-api/runtime-api-server.js";
import type { Session } from "../runtime-api/session.js";

export function fakeRuntimeApi(): { api: RuntimeApiServer; sessions: Map<string, Session> } {
  const sessions = new Map<string, Session>();
  const api: RuntimeApiServer = {
    address: "10.0.0.1:9001",
    bind: (ip, session) => void sessions.set(ip, session),
    unbind: (ip, session) => {
      if (sessions.get(ip) === session) sessions.delete(ip);
    },
    bindStem: () => undefined,
    unbindStem: () => undefined,
    expectContainer: () => () => undefined,
    close: async () => undefined,
  };
  return { api, sessions };
}
