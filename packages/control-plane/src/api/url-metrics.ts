// Metrics of the function URL listener, registered on the registry passed in.
import { Counter, type Registry } from "prom-client";

export type StatusClass = "2xx" | "3xx" | "4xx" | "5xx";

/** Counts URL requests by the class of their answer's status; children looked up once. */
export function createUrlMetrics(registry: Registry): (status: number) => void {
  const counter = new Counter({
    name: "stratus_url_requests_total",
    help: "Requests to function URLs by the class of the HTTP status answered (2xx, 3xx, 4xx, 5xx)",
    labelNames: ["class"],
    registers: [registry],
  });
  const classes = ["2xx", "3xx", "4xx", "5xx"] as const;
  const children = classes.map((c) => counter.labels({ class: c }));
  for (const c of classes) counter.inc({ class: c }, 0);
  return (status) => children[Math.min(Math.max(Math.floor(status / 100) - 2, 0), 3)]?.inc();
}
