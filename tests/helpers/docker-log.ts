// A container's output as Docker keeps it: non-TTY output comes multiplexed in
// frames (an 8-byte header: stream, 0, 0, 0, size as 32-bit big-endian; then the bytes).
import Docker from "dockerode";

const docker = new Docker();

/** The bytes of Docker's multiplexed log frames, as text. */
export function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** What container `id` printed on the streams asked for; empty if the container is gone. */
export async function dockerOutput(id: string, streams: { stdout: boolean; stderr: boolean }): Promise<string> {
  const raw = (await docker
    .getContainer(id)
    .logs({ ...streams, follow: false })
    .catch(() => Buffer.alloc(0))) as Buffer;
  return demux(raw);
}
