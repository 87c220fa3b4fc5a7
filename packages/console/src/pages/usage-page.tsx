// Usage: the account's requests, errors, GB-seconds, cold starts and cost by function
// over a range (this month, the last 24 hours or the last 7 days), from the platform's
// hourly usage rollups: the report `stratus usage` prints.
import { useEffect, useState } from "preact/hooks";
import { getUsage, type UsageLine, type UsageReport } from "../stratus-api.js";

const HOUR = 3_600_000;
const RANGES = {
  month: { label: "This month", since: (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)) },
  day: { label: "Last 24 hours", since: (now: Date) => new Date(now.getTime() - 24 * HOUR) },
  week: { label: "Last 7 days", since: (now: Date) => new Date(now.getTime() - 7 * 24 * HOUR) },
};
type Range = keyof typeof RANGES;

const gbs = (n: number) => n.toFixed(3);

function Row(props: { line: UsageLine; currency: string; total?: boolean }) {
  const l = props.line;
  return (
    <tr class={props.total ? "total" : undefined}>
      <th scope="row">{props.total ? "Total" : l.FunctionName}</th>
      <td class="num">{l.Requests}</td>
      <td class="num">{l.Errors}</td>
      <td class="num">{gbs(l.GbSeconds)}</td>
      <td class="num">{l.ColdStarts}</td>
      <td class="num">
        {l.Cost.toFixed(6)} {props.currency}
      </td>
    </tr>
  );
}

export function UsagePage() {
  const [range, setRange] = useState<Range>("month");
  const [report, setReport] = useState<UsageReport | undefined>();
  const [error, setError] = useState("");

  const load = async () => {
    const now = new Date();
    try {
      setReport(await getUsage(RANGES[range].since(now), now));
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    setReport(undefined);
    void load();
  }, [range]);

  return (
    <section aria-labelledby="usage-title">
      <div class="bar">
        <h1 id="usage-title">Usage</h1>
        <fieldset class="ranges">
          <legend class="sr-only">Usage range</legend>
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <label key={r} class="choice">
              <input type="radio" name="usage-range" checked={range === r} onChange={() => setRange(r)} />
              {RANGES[r].label}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report === undefined ? (
        <p class="loading">Loading usage…</p>
      ) : (
        <>
          <p>
            From <time dateTime={report.Since}>{new Date(report.Since).toLocaleString()}</time> to{" "}
            <time dateTime={report.Until}>{new Date(report.Until).toLocaleString()}</time> (whole hours).
          </p>
          {report.Functions.length === 0 ? (
            <p>No usage in this range.</p>
          ) : (
            <div class="scroll">
              <table class="usage">
                <caption class="sr-only">Usage by function</caption>
                <thead>
                  <tr>
                    <th scope="col">Function</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Errors</th>
                    <th scope="col">GB-seconds</th>
                    <th scope="col">Cold starts</th>
                    <th scope="col">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {report.Functions.map((l) => (
                    <Row key={l.FunctionName} line={l} currency={report.Currency} />
                  ))}
                </tbody>
                <tfoot>
                  <Row line={report.Total} currency={report.Currency} total />
                </tfoot>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
