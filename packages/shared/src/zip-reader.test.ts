import { describe, expect, it } from "vitest";
import { type RawEntry, rawZip } from "./testing/raw-zip.js";
import { ZipError } from "./zip-error.js";
import { quoted } from "./zip-names.js";
import { readZip, type ZipLimits } from "./zip-reader.js";

const limits: ZipLimits = { maxEntries: 100, maxUnzippedBytes: 10_000, maxDepth: 32 };
const file = (name: string, content = "x"): RawEntry => ({ name, content });
const dir = (name: string): RawEntry => ({ name });

async function refusal(entries: RawEntry[] | Buffer, given = limits): Promise<ZipError> {
  const err = await readZip(Buffer.isBuffer(entries) ? entries : rawZip(entries), given).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ZipError);
  return err as ZipError;
}

describe("readZip accepts", () => {
  it.each<[string, RawEntry[]]>([
    ["files in nested directories", [file("index.js"), file("lib/a/b.js"), file("lib/c.js")]],
    ["a directory entry before its files", [dir("lib/"), file("lib/x.js"), file("index.js")]],
    ["a directory entry after its files", [file("lib/x.js"), dir("lib/"), dir("lib/sub/")]],
    ["an empty directory", [file("index.js"), dir("data/")]],
    ["names that differ beyond case", [file("index.js"), file("index.jsx"), file("lib.js"), file("lib/x.js")]],
    ["non-ASCII names", [file("caf\u00e9.js"), file("\u65e5\u672c/x.js")]],
    ["a deflated file", [{ name: "index.js", content: "y".repeat(5000), deflate: true }]],
  ])("%s", async (_label, entries) => {
    const read = await readZip(rawZip(entries), limits);
    expect(read).toHaveLength(entries.length);
  });

  it("gives each file's mode (executable or not), its parts joined and its content to the sink", async () => {
    const got = new Map<string, string>();
    const entries = await readZip(
      rawZip([{ name: "bootstrap", content: "#!/bin/sh", mode: 0o100755 }, file("a//b.txt", "hi")]),
      limits,
      async (entry, content) => {
        const chunks: Buffer[] = [];
        for await (const c of content) chunks.push(c as Buffer);
        got.set(entry.name, Buffer.concat(chunks).toString());
      },
    );
    expect(entries).toEqual([
      { name: "bootstrap", size: 9, mode: 0o755, isDirectory: false },
      { name: "a/b.txt", size: 2, mode: 0o644, isDirectory: false },
    ]);
    expect(Object.fromEntries(got)).toEqual({ bootstrap: "#!/bin/sh", "a/b.txt": "hi" });
  });
});

describe("readZip refuses", () => {
  const deep = `${Array.from({ length: 33 }, () => "d").join("/")}/x.js`;
  it.each<[string, RawEntry[], RegExp]>([
    ["a NUL in a name", [file("index.js"), file("lib\u0000.js")], /^Control character .*: "lib\\u0000\.js"$/],
    ["a newline in a name", [file("a\nb.js")], /^Control character .*"a\\n?b\.js"$/],
    ["an escape in a name", [file("a\u001b[2Jb.js")], /^Control character .*"a\\u001b\[2Jb\.js"$/],
    ["an empty name", [file("index.js"), file("")], /^Entry with an empty name/],
    ["a name of slashes only", [file("index.js"), dir("//")], /^Entry with an empty name|absolute path/],
    ["a file, then an entry under it", [file("lib"), file("lib/x.js")], /share a name.*"lib" and "lib\/x\.js"/],
    ["an entry, then a file above it", [file("lib/x.js"), file("lib")], /share a name.*"lib" and "lib\/x\.js"/],
    ["a file, then a directory entry of its name", [file("lib"), dir("lib/")], /share a name.*"lib" and "lib\/"/],
    ["a directory entry, then a file of its name", [dir("lib/"), file("lib")], /share a name.*"lib" and "lib\/"/],
    ["a deep file under a file", [file("a/b"), file("a/b/c/d.js")], /share a name.*"a\/b" and "a\/b\/c\/d\.js"/],
    ["a file and a directory differing in case", [file("Lib"), file("lib/x.js")], /share a name/],
    ["names differing only in case", [file("index.js"), file("INDEX.js")], /only in case.*"index\.js" and "INDEX\.js"/],
    ["names differing only in Unicode form", [file("caf\u00e9.js"), file("cafe\u0301.js")], /only in case or Unicode/],
    ["a duplicate name", [file("index.js"), file("index.js")], /^Duplicate name in the zip: "index\.js"$/],
    ["a duplicate written with a double slash", [file("a/b.js"), file("a//b.js")], /^Duplicate name/],
    ["a duplicate directory entry", [dir("lib/"), dir("lib/")], /^Duplicate name/],
    ["zip slip", [file("../evil.js")], /invalid relative path|Unsafe path/],
    ["zip slip deeper in", [file("a/../../evil.js")], /invalid relative path|Unsafe path/],
    ["an absolute path", [file("/etc/passwd")], /absolute path|Unsafe path/],
    ["a drive letter", [file("C:/x.js")], /absolute path|Unsafe path/],
    ["a backslash", [file("..\\x.js")], /invalid characters|Unsafe path/],
    ["a dot part", [file("./x.js")], /^Unsafe path in the zip: "\.\/x\.js"$/],
    ["a symlink", [{ name: "link", content: "/var/run/docker.sock", mode: 0o120777 }], /^Links are not allowed/],
    ["a fifo", [{ name: "pipe", mode: 0o010644 }], /^Special file/],
    ["a directory typed entry without a slash", [{ name: "lib", mode: 0o40755 }], /without a trailing slash/],
    ["a directory entry with content", [{ name: "lib/", content: "hidden" }], /^Directory entry with content/],
    ["a path deeper than the cap", [file(deep)], /^Path deeper than 32 levels/],
    ["a name part over 255 bytes", [file(`${"a".repeat(256)}.js`)], /longer than 255 bytes/],
    ["a name over 1024 bytes", [file(`${Array.from({ length: 5 }, () => "b".repeat(250)).join("/")}.js`)], /1024/],
    [
      "a header that lies about its size",
      [{ name: "x", content: "z".repeat(5000), deflate: true, declaredSize: 10 }],
      /^Could not unzip/,
    ],
  ])("%s", async (_label, entries, message) => {
    expect((await refusal(entries)).message).toMatch(message);
  });

  it("more entries than the cap", async () => {
    const err = await refusal([file("a"), file("b"), file("c")], { ...limits, maxEntries: 2 });
    expect(err.message).toBe("More than 2 entries");
  });

  it("more real bytes than the cap, however small the header says they are (a bomb)", async () => {
    const bomb = { name: "zeros", content: Buffer.alloc(200_000), deflate: true };
    expect((await refusal([bomb])).message).toBe("Unzipped size exceeds 10000 bytes");
    const lying = { ...bomb, declaredSize: 100 };
    expect((await refusal([lying])).message).toMatch(/^Could not unzip|^Unzipped size exceeds/);
  });

  it("more real bytes than the cap from entries that each inflate the same data (an overlapping bomb)", async () => {
    // Each entry alone is under the cap; their central records all point at one local record.
    const zeros = Buffer.alloc(4_000);
    const first = { name: "f0", content: zeros, deflate: true };
    const overlapping = [first, ...[1, 2, 3].map((i) => ({ ...first, name: `f${i}`, sharesDataOf: 0 }))];
    const zip = rawZip(overlapping);
    expect(zip.length).toBeLessThan(1_000);
    expect((await refusal(zip)).message).toBe("Unzipped size exceeds 10000 bytes");
    // Two of them, 8,000 bytes in all, are read whole: the shared data itself is no fault.
    const names: string[] = [];
    await readZip(rawZip(overlapping.slice(0, 2)), limits, async (entry, content) => {
      names.push(entry.name);
      content.resume();
      await new Promise((r) => content.on("end", r));
    });
    expect(names).toEqual(["f0", "f1"]);
  });

  it.each<[string, Buffer]>([
    ["not a zip", Buffer.from("plainly not a zip")],
    ["a truncated zip", rawZip([file("index.js", "y".repeat(500))]).subarray(0, 200)],
    ["nothing", Buffer.alloc(0)],
  ])("%s", async (_label, zip) => {
    expect((await refusal(zip)).message).toMatch(/^Could not unzip uploaded file: /);
  });
});

describe("readZip", () => {
  it("throws a sink's own failure as it is, not as a refusal of the zip", async () => {
    const disk = Object.assign(new Error("ENOSPC: no space left on device, open '/var/lib/x'"), { code: "ENOSPC" });
    const err = await readZip(rawZip([file("a.js")]), limits, async (_e, content) => {
      content.resume();
      throw disk;
    }).catch((e: unknown) => e);
    expect(err).toBe(disk);
  });
});

describe("quoted", () => {
  it.each([
    ["index.js", '"index.js"'],
    ["a\u0000b", '"a\\u0000b"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ["caf\u00e9 \u202eevil", '"caf\\u00e9 \\u202eevil"'],
    ["x".repeat(300), `"${"x".repeat(200)}..."`],
  ])("%j", (name, expected) => {
    expect(quoted(name)).toBe(expected);
  });
});
