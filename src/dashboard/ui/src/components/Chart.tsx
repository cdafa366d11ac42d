/** uPlot line/area/bar charts: created once per container, data swapped on change, resized with the card. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: Array<number | null>;
  dashed?: boolean;
}

interface Props {
  /** X values: unix seconds for time axes, or 0..n-1 with `labels` for categories. */
  x: number[];
  labels?: string[];
  series: Series[];
  kind?: 'line' | 'area' | 'bar';
  height?: number;
  format?: (n: number) => string;
  testId?: string;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function Chart(props: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const accent = cssVar('--accent') || '#4f6bed';
    const muted = cssVar('--muted') || '#999';
    const grid = cssVar('--grid') || '#eee';
    const kind = props.kind ?? 'area';
    const bars = uPlot.paths.bars?.({ size: [0.6, 64] });
    const axis = { stroke: muted, grid: { stroke: grid }, ticks: { stroke: grid } };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: props.height ?? 260,
      legend: { show: props.series.length > 1 },
      cursor: { points: { size: 6 } },
      scales: { x: { time: !props.labels } },
      axes: [
        {
          ...axis,
          ...(props.labels
            ? { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => props.labels?.[t] ?? '') }
            : {}),
        },
        {
          ...axis,
          size: 56,
          ...(props.format ? { values: (_u: uPlot, t: number[]) => t.map(props.format!) } : {}),
        },
      ],
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: i === 0 ? accent : muted,
          width: 2,
          dash: s.dashed ? [6, 4] : undefined,
          fill: i === 0 && kind !== 'line' ? `${accent}22` : undefined,
          paths: kind === 'bar' ? bars : undefined,
          points: { show: props.x.length < 40 },
        })),
      ],
    };
    const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: el.clientWidth, height: opts.height }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [props.x, props.series, props.kind, props.labels, props.height, props.format]);
  return <div class="chart" ref={box} data-testid={props.testId} />;
}

/** Pie charts are not uPlot's: a small SVG does them. */
export function Pie(props: { labels: string[]; values: number[]; testId?: string }) {
  const total = props.values.reduce((a, b) => a + Math.max(0, b), 0) || 1;
  let angle = -Math.PI / 2;
  const colors = ['#4f6bed', '#22a06b', '#e5a000', '#d1453b', '#8a5cf6', '#0ea5e9', '#f97316', '#64748b'];
  return (
    <div class="pie" data-testid={props.testId}>
      <svg viewBox="-1.1 -1.1 2.2 2.2" role="img" aria-label="pie chart">
        {props.values.map((v, i) => {
          const a = (Math.max(0, v) / total) * Math.PI * 2;
          const [x1, y1] = [Math.cos(angle), Math.sin(angle)];
          angle += a;
          const [x2, y2] = [Math.cos(angle), Math.sin(angle)];
          const d =
            a >= Math.PI * 2 - 1e-9
              ? 'M 1 0 A 1 1 0 1 1 -1 0 A 1 1 0 1 1 1 0 Z'
              : `M 0 0 L ${x1} ${y1} A 1 1 0 ${a > Math.PI ? 1 : 0} 1 ${x2} ${y2} Z`;
          return (
            <path key={props.labels[i]} d={d} fill={colors[i % colors.length]}>
              <title>{`${props.labels[i]}: ${v}`}</title>
            </path>
          );
        })}
      </svg>
      <ul>
        {props.labels.map((l, i) => (
          <li key={l}>
            <i style={{ background: colors[i % colors.length] }} />
            {l} <b>{props.values[i]}</b>
          </li>
        ))}
      </ul>
    </div>
  );
}
