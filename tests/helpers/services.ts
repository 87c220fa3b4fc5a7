// Postgres and Redis for integration tests, through testcontainers, on the images
// built locally by packages/runtime-images/build.sh (no registry needed). Ports are
// published on 127.0.0.1 only; containers are removed in teardown (Ryuk is off).
import { randomBytes } from "node:crypto";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";

/** GenericContainer that publishes its ports on loopback only. */
class LoopbackContainer extends GenericContainer {
  override withExposedPorts(...ports: number[]): this {
    super.withExposedPorts(...ports);
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const b of bindings as { HostIp?: string }[]) b.HostIp = "127.0.0.1";
    }
    return this;
  }
}

export interface StartedService {
  url: string;
  container: StartedTestContainer;
}

/** `durable`: fsync on, as in production (tests turn it off for speed). */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<StartedService> {
  const password = randomBytes(12).toString("hex");
  const container = await new LoopbackContainer("stratus/postgres:15")
    .withEnvironment({ POSTGRES_PASSWORD: password, POSTGRES_DB: "stratus", POSTGRES_FSYNC: opts.durable ? "on" : "off" })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
    .withStartupTimeout(60_000)
    .start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${container.getMappedPort(5432)}/stratus`,
    container,
  };
}

export async function startRedis(): Promise<StartedService> {
  const container = await new LoopbackContainer("stratus/redis:7")
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(60_000)
    .start();
  return { url: `redis://127.0.0.1:${container.getMappedPort(6379)}`, container };
}
