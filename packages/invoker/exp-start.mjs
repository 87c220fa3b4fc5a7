import Docker from "dockerode";
const docker = new Docker();
const holder = await docker.createContainer({ Image: "stratus/base:bookworm", Cmd: ["sleep", "3600"], HostConfig: { NetworkMode: "bridge" } });
await holder.start();
const host = (mode) => ({
  NetworkMode: `container:${holder.id}`, Init: true, Memory: 128 * 2 ** 20, MemorySwap: 128 * 2 ** 20, CpuShares: 74, NanoCpus: 1e9,
  MemorySwappiness: 0, PidsLimit: 1024, Ulimits: [{ Name: "nofile", Soft: 1024, Hard: 1024 }, { Name: "core", Soft: 0, Hard: 0 }],
  CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"], ReadonlyRootfs: true,
  Tmpfs: { "/tmp": "rw,exec,nosuid,nodev,size=512m" }, LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "1" } },
});
const res = { plain: [], attach: [], attachwait: [] };
for (let i = 0; i < 12; i++) {
  for (const mode of Object.keys(res)) {
    const c = await docker.createContainer({ Image: "stratus/runtime:nodejs20.x", User: "10001:10001", Entrypoint: ["/bin/sleep"], Cmd: ["30"], HostConfig: host(mode) });
    if (mode !== "plain") await c.attach({ stream: true, stdout: true, stderr: true });
    const t = performance.now();
    await c.start();
    res[mode].push(performance.now() - t);
    if (mode === "attachwait") void c.wait().catch(() => {});
    await c.remove({ force: true });
  }
}
await holder.remove({ force: true });
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k, v.map((x) => x.toFixed(0)).join(" "), "p50", v[6].toFixed(0)); }
