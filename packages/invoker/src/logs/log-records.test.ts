import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { RecordReader, recordText } from "./log-records.js";

/** A reader over a fresh stream, collecting raw records. */
function reader(maxChars = 1000, keep = 0) {
  const stream = new PassThrough();
  const records: string[] = [];
  let ended = false;
  const r = new RecordReader(
    stream,
    maxChars,
    (raw) => records.push(raw),
    () => {
      ended = true;
    },
    keep,
  );
  return { stream, records, reader: r, ended: () => ended };
}
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("recordText", () => {
  it.each([
    [
      "a runtime's one message of three lines",
      "2026-01-01T00:00:00.000Z\tid\tINFO\ta\rb\rc",
      "2026-01-01T00:00:00.000Z\tid\tINFO\ta\nb\nc",
    ],
    ["a CRLF line end", "dos line\r", "dos line"],
    ["a progress bar's redrawn line", "\r10%\r50%\r100%", "10%\n50%\n100%"],
    ["a plain line", "plain", "plain"],
    ["nothing but carriage returns", "\r\r", ""],
  ])("%s", (_name, raw, text) => {
    expect(recordText(raw)).toBe(text);
  });
});

describe("RecordReader", () => {
  it("ends records at newlines only, across chunks and split characters", async () => {
    const { stream, records } = reader();
    const euro = Buffer.from("€");
    stream.write("one\rstill one");
    stream.write(Buffer.concat([Buffer.from("\n"), euro.subarray(0, 1)]));
    stream.write(Buffer.concat([euro.subarray(1), Buffer.from("\r\ntwo\n")]));
    await tick();
    expect(records).toEqual(["one\rstill one", "€\r", "two"]);
  });

  it("hands out a record that never ends in pieces, and what is left at flush and at the end", async () => {
    const { stream, records, reader: r, ended } = reader(4);
    stream.write("\r1%\r2%\r3%");
    await tick();
    expect(records).toEqual(["\r1%\r", "2%\r3"]);
    r.flush();
    expect(records).toEqual(["\r1%\r", "2%\r3", "%"]);
    r.flush();
    expect(records).toHaveLength(3);
    stream.end("last");
    await tick();
    expect(records.at(-1)).toBe("last");
    expect(ended()).toBe(true);
  });

  it("never cuts a piece between the halves of a surrogate pair", async () => {
    const { stream, records } = reader(2);
    stream.write("a😀b\n");
    await tick();
    expect(records).toEqual(["a", "😀", "b"]);
  });

  it("keeps a record's last characters whole in its last piece, however the record came", async () => {
    const { stream, records } = reader(4, 3);
    stream.write("abcdefghi");
    stream.write("jk");
    stream.write("lmn\n");
    await tick();
    expect(records).toEqual(["abcd", "efgh", "ijklmn"]);
    expect(records.at(-1)?.endsWith("lmn")).toBe(true);
  });
});
