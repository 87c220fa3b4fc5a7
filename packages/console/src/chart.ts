// Time-series charts (uPlot, loaded only on the Monitor tab): one chart per metric,
// sized to its container.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

export function drawChart(parent: HTMLElement, title: string, times: number[], series: Series[]): () => void {
  const width = Math.max(260, parent.clientWidth || 320);
  const plot = new uPlot(
    {
      title,
      width,
      height: 180,
      // Points too: a period alone between gaps has no line to draw.
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 5 } })),
      ],
      axes: [{}, { size: 50 }],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    },
    [times, ...series.map((s) => s.values)],
    parent,
  );
  return () => plot.destroy();
}
