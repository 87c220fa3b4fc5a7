import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { bytes, emit, type Io, status, table } from "./output.js";

function io(mode: Io["mode"]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (s: PassThrough) => () => (s.read() as Buffer | null)?.toString("utf8") ?? "";
  return { io: { mode, stdout, stderr }, out: read(stdout), err: read(stderr) };
}

describe("output", () => {
  it("prints text for people and status lines on stderr", () => {
    const t = io("text");
    status(t.io, "Packaged 2 files");
    emit(t.io, { a: 1 }, ["one", "two"]);
    expect(t.out()).toBe("one\ntwo\n");
    expect(t.err()).toBe("Packaged 2 files\n");
  });

  it("prints one JSON document and no status under --output json", () => {
    const j = io("json");
    status(j.io, "Packaged 2 files");
    emit(j.io, { a: 1, b: ["x"] }, "ignored");
    expect(JSON.parse(j.out())).toEqual({ a: 1, b: ["x"] });
    expect(j.err()).toBe("");
  });

  it("pads a table's columns to their widest cell", () => {
    expect(
      table(
        ["NAME", "RUNTIME", "MEMORY"],
        [
          ["a-long-name", "nodejs24.x", "128 MB"],
          ["b", "python3.11", "1024 MB"],
        ],
      ),
    ).toEqual([
      "NAME         RUNTIME     MEMORY",
      "a-long-name  nodejs24.x  128 MB",
      "b            python3.11  1024 MB",
    ]);
  });

  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KB"],
    [50 * 1024 * 1024, "50.0 MB"],
  ])("writes %d bytes as %s", (n, text) => {
    expect(bytes(n)).toBe(text);
  });
});
