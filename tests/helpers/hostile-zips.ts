// Hostile zip archives for upload tests. yazl refuses unsafe names, so names are
// written with same-length placeholders and patched in the bytes afterwards (names
// are not covered by the CRC), and size fields are patched to lie; names no patch can
// make (empty, a NUL) are written byte by byte (raw-zip.ts).
import { rawZip } from "../../packages/shared/src/testing/raw-zip.js";
import { makeZip } from "./zip.js";

const HANDLER = "exports.handler = async () => 1;";

function patchName(zip: Buffer, placeholder: string, hostile: string): Buffer {
  if (placeholder.length !== hostile.length) throw new Error("patch must keep the length");
  const out = Buffer.from(zip);
  const from = Buffer.from(placeholder);
  let at = out.indexOf(from);
  if (at < 0) throw new Error("placeholder not found");
  while (at >= 0) {
    Buffer.from(hostile).copy(out, at);
    at = out.indexOf(from, at + 1);
  }
  return out;
}

/** Rewrites the uncompressed-size field of every local and central header. */
function lieAboutSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

/**
 * Zips that were once accepted at upload and then failed to unpack on every node
 * (issue 22): a NUL in a name, an empty name, a file `lib` beside `lib/x.js`.
 */
export function unpackableZips(): [string, Buffer][] {
  const index = { name: "index.js", content: HANDLER };
  return [
    ["a NUL in a name", rawZip([index, { name: "lib\u0000.js", content: "x" }])],
    ["an empty name", rawZip([index, { name: "", content: "x" }])],
    [
      "a file beside a directory of its name",
      rawZip([index, { name: "lib", content: "f" }, { name: "lib/x.js", content: "x" }]),
    ],
  ];
}

export async function hostileZips(): Promise<[string, Buffer][]> {
  const withIndex = (files: Record<string, string>) => makeZip({ "index.js": HANDLER, ...files });
  const deep = `${Array.from({ length: 33 }, () => "d").join("/")}/x.js`;
  const big = "x".repeat(4096);
  return [
    ["zip slip with ../", patchName(await withIndex({ "QQ/evil.js": big }), "QQ/evil.js", "../evil.js")],
    ["absolute path", patchName(await withIndex({ Xetc_passwd: "root" }), "Xetc_passwd", "/etc/passwd")],
    ["backslash traversal", patchName(await withIndex({ "QQ_x.js": "x" }), "QQ_x.js", "..\\x.js")],
    ["drive letter", patchName(await withIndex({ "Cq_x.js": "x" }), "Cq_x.js", "C:/x.js")],
    ["symlink", await makeZip({ "index.js": HANDLER, link: { content: "/var/run/docker.sock", mode: 0o120777 } })],
    ["case-colliding names", await withIndex({ "INDEX.js": HANDLER })],
    ["duplicate names", patchName(await withIndex({ "indeX.js": HANDLER }), "indeX.js", "index.js")],
    ["path deeper than 32", await withIndex({ [deep]: "x" })],
    ["lying header sizes", lieAboutSizes(await withIndex({ "data.txt": big }), 10)],
    ["truncated", (await withIndex({ "data.txt": big })).subarray(0, 200)],
    ["not a zip", Buffer.from("this is plainly not a zip archive")],
    ["empty", Buffer.alloc(0)],
    ["bomb over 250 MB unzipped", await withIndex({ "zeros.bin": "\0".repeat(260 * 1024 * 1024) })],
    ["handler file missing", await makeZip({ "other.js": HANDLER })],
    ...unpackableZips(),
  ];
}
