// Builds function zips in memory for tests (yazl).
import yazl from "yazl";

export type ZipFiles = Record<string, string | Buffer | { content: string | Buffer; mode: number }>;

/** `compress: false` stores the files as they are, so the zip's size follows theirs. */
export function makeZip(files: ZipFiles, { compress = true } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, f] of Object.entries(files)) {
    const { content, mode } = typeof f === "string" || Buffer.isBuffer(f) ? { content: f, mode: 0o644 } : f;
    zip.addBuffer(Buffer.from(content), name, { mode: mode | 0o100000, compress });
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

/** A one-file Node function. */
export function nodeFunction(source: string, file = "index.js"): Promise<Buffer> {
  return makeZip({ [file]: source });
}

/** A one-file Node function whose zip is `bytes` long: a stored file of zeros beside it makes up the size. */
export async function nodeFunctionOfSize(bytes: number): Promise<Buffer> {
  const zip = (padding: number) =>
    makeZip({ "index.js": "exports.handler = async () => 1;", padding: Buffer.alloc(padding) }, { compress: false });
  return zip(bytes - (await zip(0)).length);
}

/**
 * A minimal custom-runtime bootstrap (bash and curl), executable: for each event it
 * sets $api (the invocation path of the Runtime API) and $id (the request id) and
 * runs `respond`, which posts the answer.
 */
export function shellBootstrap(respond: string): { content: string; mode: number } {
  const content = [
    "#!/bin/bash",
    "set -eu",
    'api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"',
    "while true; do",
    '  headers="$(mktemp)"',
    '  curl -sS -D "$headers" -o /dev/null "$api/next"',
    `  id="$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')"`,
    `  ${respond}`,
    "done",
    "",
  ].join("\n");
  return { content, mode: 0o755 };
}
