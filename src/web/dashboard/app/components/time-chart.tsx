import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Columns } from '../lib/health-series.js';

export interface ChartLine {
  label: string;
  colour: string;
}

const HEIGHT = 160;

/**
 * One uPlot time chart. The chart object lives as long as the component; new data is handed to
 * `setData` (no re-creation per sample), and the width follows the container so it fits a phone.
 */
export function TimeChart({ title, unit, lines, data }: { title: string; unit: string; lines: ChartLine[]; data: Columns }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(max ?? 1, 1) * 1.15 || 1] } },
      axes: [
        { stroke: '#9aa4b1', grid: { stroke: '#2a2f37' } },
        { stroke: '#9aa4b1', grid: { stroke: '#2a2f37' }, size: 56, values: (_u, ticks) => ticks.map((v) => `${v}`) },
      ],
      series: [{}, ...lines.map((l) => ({ label: `${l.label} (${unit})`, stroke: l.colour, width: 2, spanGaps: false }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // One chart per mount: the lines and unit of a chart never change.
  }, []);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure class="chart" aria-label={`${title} chart`} data-points={data[0].length}>
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" />
    </figure>
  );
}
