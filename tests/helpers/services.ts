// Postgres and Redis for integration tests, through testcontainers, on the images
// built locally by packages/runtime-images/build.sh (no registry needed). Ports are
// published on 127.0.0.1 only; containers are removed in teardown (Ryuk is off).
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";

/** GenericContainer that publishes its ports on loopback only. */
class LoopbackContainer extends GenericContainer {
  override withExposedPorts(...ports: (number | { container: number; host: number })[]): this {
    super.withExposedPorts(...ports);
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const b of bindings as { HostIp?: string }[]) b.HostIp = "127.0.0.1";
    }
    return this;
  }
}

export interface StartedService {
  /** Through the port published on loopback (Docker's userland proxy relays every byte). */
  url: string;
  /**
   * Straight to the container's address on Docker's default bridge, as processes on
   * the same Docker network reach it in a deployment (docker-compose.yml): without the
   * proxy, whose relaying of each byte would be counted against the platform.
   */
  bridgeUrl: string;
  container: StartedTestContainer;
}

/** A loopback port that is free now (the kernel picks it; the caller binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `durable`: fsync on, as in production (tests turn it off for speed). */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<StartedService> {
  const password = randomBytes(12).toString("hex");
  const container = await new LoopbackContainer("stratus/postgres:15")
    .withEnvironment({
      POSTGRES_PASSWORD: password,
      POSTGRES_DB: "stratus",
      POSTGRES_FSYNC: opts.durable ? "on" : "off",
    })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
    .withStartupTimeout(60_000)
    .start();
  const credentials = `postgres:${password}`;
  return {
    url: `postgres://${credentials}@127.0.0.1:${container.getMappedPort(5432)}/stratus`,
    bridgeUrl: `postgres://${credentials}@${container.getIpAddress("bridge")}:5432/stratus`,
    container,
  };
}

/**
 * `stablePort`: publish on a host port chosen now rather than an ephemeral one, which
 * Docker would re-pick on a restart; a test that restarts Redis needs its URL to hold.
 */
export async function startRedis(opts: { stablePort?: boolean } = {}): Promise<StartedService> {
  const port = opts.stablePort ? { container: 6379, host: await freePort() } : 6379;
  const container = await new LoopbackContainer("stratus/redis:7")
    .withExposedPorts(port)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(60_000)
    .start();
  return {
    url: `redis://127.0.0.1:${container.getMappedPort(6379)}`,
    bridgeUrl: `redis://${container.getIpAddress("bridge")}:6379`,
    container,
  };
}
