// Functions: every function of the account (one call, started with the page: main.tsx)
// with its runtime, memory and last change,
// and its invocations and errors over the last hour (CloudWatch's AWS/Lambda metrics,
// which the platform keeps); a search box narrows the list as one types. A long list
// puts only the rows near the viewport in the document (window-rows.ts), announcing
// the whole table's size (aria-rowcount) and each row's place in it (aria-rowindex).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type FunctionSummary, functionsOnce, getMetricData } from "../lambda.js";
import { hrefFor } from "../route.js";
import { useRowWindow } from "../window-rows.js";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

type HourCounts = Record<string, { invocations: number; errors: number }>;

/** GetMetricData takes 500 queries a call: two per function. */
const PER_CALL = 250;

export async function lastHourCounts(names: string[]): Promise<HourCounts> {
  const end = Math.floor(Date.now() / 1000);
  const out: HourCounts = {};
  for (let i = 0; i < names.length; i += PER_CALL) {
    const chunk = names.slice(i, i + PER_CALL);
    const queries = chunk.flatMap((functionName, j) => [
      { id: `i${j}`, metric: "Invocations", stat: "Sum", functionName },
      { id: `e${j}`, metric: "Errors", stat: "Sum", functionName },
    ]);
    const results = await getMetricData(queries, end - 3600, end, 300);
    const sum = (id: string) => results.find((r) => r.Id === id)?.Values.reduce((a, b) => a + b, 0) ?? 0;
    chunk.forEach((name, j) => {
      out[name] = { invocations: sum(`i${j}`), errors: sum(`e${j}`) };
    });
  }
  return out;
}

export function FunctionsList() {
  const [functions, setFunctions] = useState<FunctionSummary[] | undefined>();
  const [counts, setCounts] = useState<HourCounts>({});
  const [error, setError] = useState("");
  const [search, setSearch] = useState("");

  useEffect(() => {
    functionsOnce().then(
      (fns) => {
        setFunctions(fns);
        lastHourCounts(fns.map((f) => f.FunctionName)).then(setCounts, (e: Error) =>
          setError(`Metrics unavailable: ${e.message}`),
        );
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (functions ?? []).filter(
      (f) => q === "" || f.FunctionName.toLowerCase().includes(q) || (f.Runtime ?? "").includes(q),
    );
  }, [functions, search]);
  const body = useRef<HTMLTableSectionElement>(null);
  const [from, to, rowPx] = useRowWindow(body, shown.length);

  return (
    <section aria-labelledby="functions-title">
      <div class="bar">
        <h1 id="functions-title">Functions</h1>
        <a class="button" href="#/create">
          Create function
        </a>
      </div>
      <label class="search">
        Search functions
        <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {functions === undefined ? (
        <p class="loading">Loading functions…</p>
      ) : functions.length === 0 ? (
        <p>No functions yet. Create one from a blueprint.</p>
      ) : (
        <div class="scroll">
          <table class="functions" aria-rowcount={shown.length + 1}>
            <caption class="sr-only">
              {shown.length} of {functions.length} functions
            </caption>
            <thead>
              <tr aria-rowindex={1}>
                <th scope="col">Name</th>
                <th scope="col">Runtime</th>
                <th scope="col">Memory (MB)</th>
                <th scope="col">Last modified</th>
                <th scope="col">Invocations (1 h)</th>
                <th scope="col">Errors (1 h)</th>
              </tr>
            </thead>
            <tbody ref={body}>
              {from > 0 && <tr class="spacer" style={{ height: `${from * rowPx}px` }} />}
              {shown.slice(from, to).map((f, i) => (
                <tr key={f.FunctionName} aria-rowindex={from + i + 2}>
                  <th scope="row">
                    <a href={hrefFor({ page: "function", name: f.FunctionName, tab: "code" })}>{f.FunctionName}</a>
                  </th>
                  <td>{f.Runtime ?? f.PackageType}</td>
                  <td class="num">{f.MemorySize}</td>
                  <td>
                    <time dateTime={f.LastModified}>{when.format(new Date(f.LastModified))}</time>
                  </td>
                  <td class="num">{counts[f.FunctionName]?.invocations ?? "–"}</td>
                  <td class="num">{counts[f.FunctionName]?.errors ?? "–"}</td>
                </tr>
              ))}
              {to < shown.length && <tr class="spacer" style={{ height: `${(shown.length - to) * rowPx}px` }} />}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
