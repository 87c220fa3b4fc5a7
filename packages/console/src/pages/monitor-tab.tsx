// Monitor: the function's CloudWatch metrics (AWS/Lambda, from the platform's own
// records) over 1 hour, 3 hours or 1 day: invocations, errors, throttles, duration
// p50 and p99, and concurrency. Each chart has its totals in text beside it. Below,
// the asynchronous backlog and dead letters (async-section.tsx).
import { useEffect, useRef, useState } from "preact/hooks";
import { getMetricData, type MetricSeries } from "../lambda.js";
import { AsyncSection } from "./async-section.js";

const RANGES = {
  "1h": { seconds: 3600, period: 60 },
  "3h": { seconds: 10_800, period: 300 },
  "1d": { seconds: 86_400, period: 900 },
};
type Range = keyof typeof RANGES;

const QUERIES = [
  { id: "invocations", metric: "Invocations", stat: "Sum" },
  { id: "errors", metric: "Errors", stat: "Sum" },
  { id: "throttles", metric: "Throttles", stat: "Sum" },
  { id: "p50", metric: "Duration", stat: "p50" },
  { id: "p99", metric: "Duration", stat: "p99" },
  { id: "concurrency", metric: "ConcurrentExecutions", stat: "Maximum" },
];

const CHARTS: {
  title: string;
  unit: string;
  series: { id: string; label: string; color: string }[];
  total: "sum" | "max";
}[] = [
  {
    title: "Invocations",
    unit: "count",
    series: [{ id: "invocations", label: "Invocations", color: "#2563eb" }],
    total: "sum",
  },
  {
    title: "Errors and throttles",
    unit: "count",
    series: [
      { id: "errors", label: "Errors", color: "#dc2626" },
      { id: "throttles", label: "Throttles", color: "#d97706" },
    ],
    total: "sum",
  },
  {
    title: "Duration",
    unit: "ms",
    series: [
      { id: "p50", label: "p50", color: "#059669" },
      { id: "p99", label: "p99", color: "#7c3aed" },
    ],
    total: "max",
  },
  {
    title: "Concurrent executions",
    unit: "count",
    series: [{ id: "concurrency", label: "Maximum", color: "#0891b2" }],
    total: "max",
  },
];

/** Counts: a period with no data counted nothing (CloudWatch leaves it out). */
const COUNTS = new Set(["invocations", "errors", "throttles"]);

/** The range's period grid from start to end; a period with no data is 0 for a count, else a gap (null). */
function grid(results: MetricSeries[], start: number, end: number, period: number) {
  const first = Math.floor(start / period) * period;
  const times: number[] = [];
  for (let t = first; t <= end; t += period) times.push(t);
  const byId = new Map<string, (number | null)[]>();
  for (const r of results) {
    const at = new Map(r.Timestamps.map((t, i) => [Math.round(t), r.Values[i] as number]));
    const empty = COUNTS.has(r.Id) ? 0 : null;
    byId.set(
      r.Id,
      times.map((t) => at.get(t) ?? empty),
    );
  }
  return { times, byId };
}

export function MonitorTab(props: { name: string }) {
  const [range, setRange] = useState<Range>("1h");
  const [data, setData] = useState<ReturnType<typeof grid> | undefined>();
  const [error, setError] = useState("");
  const charts = useRef<HTMLDivElement>(null);

  const load = async () => {
    setError("");
    const { seconds, period } = RANGES[range];
    const end = Math.floor(Date.now() / 1000) + period;
    const start = end - seconds - period;
    try {
      const results = await getMetricData(
        QUERIES.map((q) => ({ ...q, functionName: props.name })),
        start,
        end,
        period,
      );
      setData(grid(results, start, end, period));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [range, props.name]);

  useEffect(() => {
    const host = charts.current;
    if (!data || !host) return;
    let destroyers: (() => void)[] = [];
    let live = true;
    import("../chart.js").then((m) => {
      if (!live) return;
      const slots = host.querySelectorAll<HTMLElement>(".chart");
      destroyers = CHARTS.map((c, i) =>
        m.drawChart(
          slots[i] as HTMLElement,
          `${c.title} (${c.unit})`,
          data.times,
          c.series.map((s) => ({ label: s.label, color: s.color, values: data.byId.get(s.id) ?? [] })),
        ),
      );
    });
    return () => {
      live = false;
      for (const d of destroyers) d();
    };
  }, [data]);

  const summary = (id: string, how: "sum" | "max") => {
    const vals = (data?.byId.get(id) ?? []).filter((v): v is number => v !== null);
    if (vals.length === 0) return "no data";
    return how === "sum" ? String(vals.reduce((a, b) => a + b, 0)) : `max ${Math.max(...vals).toFixed(2)}`;
  };

  return (
    <div class="monitor">
      <div class="bar">
        <h2>Metrics</h2>
        <fieldset class="ranges">
          <legend class="sr-only">Time range</legend>
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <label key={r} class="choice">
              <input type="radio" name="range" value={r} checked={range === r} onChange={() => setRange(r)} />
              {r}
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
      <div class="charts" ref={charts}>
        {CHARTS.map((c) => (
          <figure key={c.title}>
            <div class="chart" />
            <figcaption>
              {c.series.map((s) => (
                <span key={s.id} data-metric={s.id}>
                  {s.label}: {summary(s.id, c.total)}{" "}
                </span>
              ))}
            </figcaption>
          </figure>
        ))}
      </div>
      <AsyncSection name={props.name} />
    </div>
  );
}
