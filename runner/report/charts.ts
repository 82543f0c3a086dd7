/**
 * Chart.js configurations as plain JSON (no functions), built in Node and inlined into the page.
 * The few behaviours JSON cannot carry (tick labels of the percentile axis, a threshold line, links
 * and tooltips per point) are named in `behaviours` and implemented by client/charts.js.
 */
import type { Histogram } from 'hdr-histogram-js';
import { TARGET_LABELS, type Target } from '../../lib/stage/targets.ts';

export interface ChartSpec {
  type: 'bar' | 'line' | 'scatter';
  data: { labels?: string[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
  behaviours?: {
    /** x is 1 / (1 - quantile) on a log scale; ticks are labelled as percentiles (90%, 99%, ...). */
    percentileAxis?: boolean;
    /** A horizontal line at this y value with a label (e.g. the 2-second requirement). */
    threshold?: { value: number; label: string };
    /** Per label index: a link opened on click and tooltip lines (history charts). */
    points?: { href: string; lines: string[] }[];
    /** Tooltip value suffix, e.g. ' ms' or '%'. */
    unit?: string;
    /** Per dataset and index: extra tooltip lines (diff charts). */
    notes?: string[][];
    /** Legend swatches take the dataset's border colour (datasets whose bars have several fill shades). */
    legendFromBorder?: boolean;
  };
}

/** One colour per backend, the same in every chart (Okabe-Ito, readable for colour-blind readers). */
export const TARGET_COLORS: Record<Target, string> = {
  direct: '#0072B2',
  sfn: '#E69F00',
  lambda: '#009E73',
  apprunner: '#CC79A7',
};
const FALLBACK_COLORS = ['#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function targetColor(target: string, index = 0): string {
  return TARGET_COLORS[target as Target] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length]!;
}

export function targetLabel(target: string): string {
  const long = TARGET_LABELS[target as Target];
  return long ? `${target}: ${long}` : target;
}

/** Colour of a status code or client-error kind in the status charts: green 2xx, amber 4xx, red 5xx, grey no answer. */
export function statusColor(code: string): string {
  if (/^2\d\d$/.test(code)) return code === '200' ? '#2E7D32' : '#66BB6A';
  if (/^3\d\d$/.test(code)) return '#1565C0';
  if (code === '429') return '#F9A825';
  if (/^4\d\d$/.test(code)) return '#EF6C00';
  if (/^5\d\d$/.test(code)) return code === '503' ? '#B71C1C' : '#E53935';
  return { timeout: '#616161', refused: '#9E9E9E', reset: '#424242', other: '#BDBDBD' }[code] ?? '#757575';
}

export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const title = (text: string | string[]) => ({ display: true, text, font: { size: 15, weight: 'bold' }, padding: { bottom: 4 } });
const subtitle = (text: string) => ({ display: true, text, color: '#555', padding: { bottom: 8 } });
const axisTitle = (text: string) => ({ display: true, text, font: { size: 12, weight: 'bold' } });

export interface BaseOptions {
  title: string;
  subtitle?: string;
  legend?: boolean;
}

export function baseOptions(o: BaseOptions, scales: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: {
      title: title(o.title),
      ...(o.subtitle ? { subtitle: subtitle(o.subtitle) } : {}),
      legend: { display: o.legend ?? true, position: 'bottom', labels: { boxWidth: 14 } },
      ...extra,
    },
    scales,
  };
}

export function linearAxis(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'linear', beginAtZero: true, title: axisTitle(label), ...extra };
}
export function categoryAxis(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'category', title: axisTitle(label), ...extra };
}
export function logAxis(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'logarithmic', title: axisTitle(label), ...extra };
}

export interface CurvePoint {
  /** 1 / (1 - quantile): 1 at the minimum, 100 at p99, 1000 at p99.9. */
  x: number;
  /** Latency in ms. */
  y: number;
}

/**
 * The percentile curve of a latency histogram (values in microseconds): 10 points per decade of
 * 1 / (1 - q), from the minimum (q = 0) to the point where the histogram runs out of samples
 * (x = count), then the maximum. Read from the stored HDR histogram, so it is exact to the
 * histogram's 3 significant digits.
 */
export function percentileCurve(histogram: Histogram, pointsPerDecade = 10): CurvePoint[] {
  const count = histogram.totalCount;
  if (count === 0) return [];
  const ms = (us: number) => Math.round(us) / 1000;
  const points: CurvePoint[] = [];
  const steps = Math.floor(Math.log10(count) * pointsPerDecade);
  for (let i = 0; i <= steps; i++) {
    const x = 10 ** (i / pointsPerDecade);
    const percentile = 100 * (1 - 1 / x);
    // Percentiles are bucket bounds (the bottom at 0 %, tops above): kept within the exact minimum and
    // maximum, as results/stats.ts does, so the curve neither starts below the fastest nor falls at its end.
    const us = Math.min(Math.max(histogram.getValueAtPercentile(percentile), histogram.minNonZeroValue), histogram.maxValue);
    points.push({ x: round(x, 4), y: ms(us) });
  }
  const maxX = Math.max(count, points.at(-1)!.x);
  points.push({ x: maxX, y: ms(histogram.maxValue) });
  return points;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** ms with sensible precision for tables. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatPercent(rate: number | null | undefined, digits = 1): string {
  return rate === null || rate === undefined || Number.isNaN(rate) ? '–' : `${(rate * 100).toFixed(digits)}%`;
}
