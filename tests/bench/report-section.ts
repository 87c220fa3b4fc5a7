// A bench run alone (BENCH_ONLY=...) writes only its own section of docs/BENCHMARKS.md:
// the text between its start and end markers, leaving every other section as it was.
import { readFile, writeFile } from "node:fs/promises";

const REPORT = new URL("../../docs/BENCHMARKS.md", import.meta.url);

/** Writes `section` (which opens with `start` and closes with `end`) over the report's, or after it when it has none. */
export async function writeReportSection(start: string, end: string, section: string): Promise<void> {
  const doc = await readFile(REPORT, "utf8");
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  await writeFile(
    REPORT,
    a < 0 || b < a ? `${doc.trimEnd()}\n\n${section}\n` : doc.slice(0, a) + section + doc.slice(b + end.length),
  );
}
