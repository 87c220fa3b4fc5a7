// The figures of a REPORT log line (Duration, Billed Duration, Memory Size, Max
// Memory Used, Init Duration), as the Lambda console shows them beside a test result.
export interface ReportFigures {
  requestId?: string;
  figures: [string, string][];
}

export function parseReport(log: string): ReportFigures | undefined {
  const line = log.split("\n").find((l) => l.startsWith("REPORT "));
  if (!line) return undefined;
  const parts = line
    .slice("REPORT ".length)
    .split("\t")
    .map((p) => p.trim())
    .filter(Boolean);
  const figures: [string, string][] = [];
  let requestId: string | undefined;
  for (const p of parts) {
    const i = p.indexOf(":");
    if (i < 0) continue;
    const k = p.slice(0, i).trim();
    const v = p.slice(i + 1).trim();
    if (k === "RequestId") requestId = v;
    else figures.push([k, v]);
  }
  return { requestId, figures };
}
