import { escapeHtml } from './text';

/**
 * The one SVG chart of tinyforge's HTML reports: boxes over a step axis (layers in execution order) and a value
 * axis (arena bytes, instructions or cycles, dB). The memory plan draws each buffer as steps × addresses, the
 * profile draws a bar per layer, the quantization report a column per layer, all with the same axes, legend and
 * hover text. Self-contained SVG (no scripts); every string that reaches it is escaped here.
 */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface ChartBox {
  /** Key of its series: the colour and the legend entry. */
  series: string;
  /** Steps [from, to) it spans. */
  steps: readonly [number, number];
  /** Values [low, high) it spans. */
  values: readonly [number, number];
  /** Hover text (the box's SVG <title>), e.g. the tensor or layer name and its figures. */
  tip: string;
  /** CSS class of the box, for tests and styles. */
  className?: string;
  /** data-* attributes. */
  data?: Record<string, string | number>;
  /** A short text just past the box's value end (a share of the total). */
  note?: string;
  /** A min–max line on the value axis, across the box's middle. */
  whisker?: readonly [number, number];
}

export interface TimelineChart {
  /** Element id of the <svg>. */
  id?: string;
  /** What the picture shows, for screen readers (aria-label). */
  title: string;
  /**
   * `columns`: steps left to right, values upwards (an arena over time). `rows`: one row per step from the top,
   * values to the right, the step names beside the rows (a bar per layer).
   */
  orientation: 'columns' | 'rows';
  /**
   * The step axis: its label, the number of steps and, for rows, a name per step (shorten long ones with
   * `shortName`) with the full name shown on hover (`fullNames`).
   */
  steps: { label: string; count: number; names?: readonly string[]; fullNames?: readonly string[] };
  /** The value axis: its label and extent [0, max]; tick values default to round numbers (about five). */
  values: { label: string; max: number; ticks?: readonly number[]; format?: (v: number) => string };
  /** Legend entries, in order. */
  series: readonly ChartSeries[];
  boxes: readonly ChartBox[];
  /** Dashed lines across the plot at a value (a lower bound), with hover text and a legend entry. */
  guides?: readonly { value: number; tip: string; label?: string }[];
  /** Legend text of the min–max whiskers, when boxes have them (default "min–max"). */
  whiskerLabel?: string;
  /**
   * Width in pixels the chart is drawn for (columns also take a height). The SVG scales down to narrower pages
   * (viewBox, max-width 100%), never up.
   */
  width?: number;
  height?: number;
}

const ROW = 18;
const FONT = 11;
const LEGEND_ROW = 20;
/** Average advance of a FONT-px sans-serif character, for laying out labels without a browser. */
const CHAR = 6.2;
const WHISKER_COLOR = '#111';
/** Line styles of the guides, in order (a chart may show two lower bounds). */
const GUIDE_STYLES = [
  { color: '#c00', dash: '5 3' },
  { color: '#6a3d9a', dash: '2 2' },
  { color: '#333', dash: '8 2 2 2' },
];
const guideStyle = (k: number) => GUIDE_STYLES[k % GUIDE_STYLES.length];

const n1 = (v: number): string => v.toFixed(1);
const defaultFormat = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

export function timelineChartSvg(chart: TimelineChart): string {
  const steps = Math.max(chart.steps.count, 1);
  const max = chart.values.max > 0 ? chart.values.max : 1;
  const format = chart.values.format ?? defaultFormat;
  const tickValues = chart.values.ticks ?? roundTicks(max);
  const colors = new Map(chart.series.map((s) => [s.key, s.color]));
  const rows = chart.orientation === 'rows';

  // Plot area and the two mappings: step s → position along the step axis, value v → along the value axis.
  const longestName = Math.max(0, ...(chart.steps.names ?? []).map((n) => n.length));
  const left = rows ? (chart.steps.names ? Math.min(420, Math.max(60, Math.ceil(longestName * CHAR) + 14)) : 50) : 80;
  const top = 10;
  const width = chart.width ?? (rows ? left + 620 : 900);
  const legend = legendEntries(chart);
  const legendRows = layoutLegend(legend, width - left - 10);
  const legendHeight = legendRows * LEGEND_ROW + 4;
  const plotW = width - left - (rows ? 60 : 20);
  const plotH = rows ? steps * ROW : (chart.height ?? 480) - top - 44 - legendHeight;
  const height = rows ? top + plotH + 44 + legendHeight : (chart.height ?? 480);
  const stepPos = (s: number): number => (rows ? top + s * ROW : left + (s / steps) * plotW);
  const valuePos = (v: number): number => (rows ? left + (v / max) * plotW : top + plotH - (v / max) * plotH);

  const out: string[] = [];
  const id = chart.id !== undefined ? ` id="${escapeHtml(chart.id)}"` : '';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${id} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" style="max-width:100%;height:auto" role="img" aria-label="${escapeHtml(chart.title)}">`,
  );
  out.push(`<rect class="plot" x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#999"/>`);

  // Value ticks with grid lines.
  for (const v of tickValues) {
    const p = n1(valuePos(v));
    out.push(
      rows
        ? `<line x1="${p}" x2="${p}" y1="${top}" y2="${top + plotH}" stroke="#e4e4e4"/><text x="${p}" y="${top + plotH + 14}" text-anchor="middle" font-size="${FONT}">${escapeHtml(format(v))}</text>`
        : `<line x1="${left}" x2="${left + plotW}" y1="${p}" y2="${p}" stroke="#e4e4e4"/><text x="${left - 6}" y="${n1(valuePos(v) + 4)}" text-anchor="end" font-size="${FONT}">${escapeHtml(format(v))}</text>`,
    );
  }

  // Step names (rows) or step numbers (columns, at most about 20 of them).
  if (rows) {
    chart.steps.names?.forEach((name, s) => {
      const full = chart.steps.fullNames?.[s];
      const hover = full !== undefined && full !== name ? `<title>${escapeHtml(full)}</title>` : '';
      out.push(`<text class="step-name" x="${left - 6}" y="${stepPos(s) + 12}" text-anchor="end" font-size="${FONT}">${hover}${escapeHtml(name)}</text>`);
    });
  } else {
    const every = Math.max(1, Math.ceil(steps / 20));
    for (let s = 0; s < steps; s += every) {
      out.push(`<text x="${n1(stepPos(s + 0.5))}" y="${top + plotH + 14}" text-anchor="middle" font-size="${FONT - 1}">${s}</text>`);
    }
  }

  for (const b of chart.boxes) out.push(box(b));

  (chart.guides ?? []).forEach((g, k) => {
    if (g.value > max) return;
    const p = n1(valuePos(g.value));
    const line = rows ? `x1="${p}" x2="${p}" y1="${top}" y2="${top + plotH}"` : `x1="${left}" x2="${left + plotW}" y1="${p}" y2="${p}"`;
    const style = guideStyle(k);
    out.push(`<line class="guide" ${line} stroke="${style.color}" stroke-width="1.5" stroke-dasharray="${style.dash}"><title>${escapeHtml(g.tip)}</title></line>`);
  });

  // Axis labels: the step axis and the value axis.
  if (rows) {
    out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle" font-size="12">${escapeHtml(chart.values.label)}</text>`);
    out.push(`<text x="${left - 6}" y="${top + plotH + 30}" text-anchor="end" font-size="12">${escapeHtml(chart.steps.label)}</text>`);
  } else {
    out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle" font-size="12">${escapeHtml(chart.steps.label)}</text>`);
    out.push(`<text x="14" y="${top + plotH / 2}" font-size="12" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${escapeHtml(chart.values.label)}</text>`);
  }

  // Legend: a swatch per series, then the whisker and guide line styles; wrapped onto more rows when wide.
  let x = left;
  let y = height - legendHeight + 6;
  for (const entry of legend) {
    const w = legendWidth(entry);
    if (x > left && x + w > width - 10) {
      x = left;
      y += LEGEND_ROW;
    }
    const label = `<text x="${x + 22}" y="${y + 10}" font-size="${FONT}">${escapeHtml(entry.label)}</text>`;
    if (entry.kind === 'series') {
      out.push(`<rect class="legend-swatch" x="${x}" y="${y}" width="16" height="12" fill="${escapeHtml(entry.color)}" stroke="#333" stroke-width="0.5"/>${label}`);
    } else if (entry.kind === 'whisker') {
      out.push(`<g class="legend-whisker">${whiskerPath(x + 1, x + 15, y + 6, 'rows')}</g>${label}`);
    } else {
      const style = guideStyle(entry.guide);
      out.push(`<line class="legend-guide" x1="${x}" x2="${x + 16}" y1="${y + 6}" y2="${y + 6}" stroke="${style.color}" stroke-width="1.5" stroke-dasharray="${style.dash}"/>${label}`);
    }
    x += w;
  }
  out.push('</svg>');
  return out.join('\n');

  function box(b: ChartBox): string {
    const [s0, s1] = b.steps;
    const [v0, v1] = b.values;
    const fill = escapeHtml(colors.get(b.series) ?? '#cccccc');
    const cls = b.className !== undefined ? ` class="${escapeHtml(b.className)}"` : '';
    const data = Object.entries(b.data ?? {})
      .map(([k, v]) => ` data-${escapeHtml(k.replace(/[^a-z0-9-]/g, '-'))}="${escapeHtml(String(v))}"`)
      .join('');
    let geometry: string;
    let extra = '';
    if (rows) {
      const y0 = stepPos(s0) + 2;
      const h = (s1 - s0) * ROW - 6;
      const x0 = valuePos(v0);
      const w = valuePos(v1) - x0;
      geometry = `x="${n1(x0)}" y="${y0}" width="${n1(Math.max(w, 0.5))}" height="${h}"`;
      const mid = y0 + h / 2;
      if (b.whisker) extra += `<g class="whisker">${whiskerPath(valuePos(b.whisker[0]), valuePos(b.whisker[1]), mid, 'rows')}</g>`;
      const end = Math.max(x0 + Math.max(w, 0.5), b.whisker ? valuePos(b.whisker[1]) + 3 : 0);
      if (b.note !== undefined) extra += `<text x="${n1(end + 4)}" y="${y0 + 10}" font-size="${FONT - 1}">${escapeHtml(b.note)}</text>`;
    } else {
      const x0 = stepPos(s0);
      const x1 = stepPos(s1);
      const y0 = valuePos(v1);
      const y1 = valuePos(v0);
      geometry = `x="${n1(x0)}" y="${n1(y0)}" width="${n1(Math.max(x1 - x0 - 1, 1))}" height="${n1(Math.max(y1 - y0, 0.5))}"`;
      const mid = n1((x0 + x1) / 2);
      if (b.whisker) extra += `<g class="whisker">${whiskerPath(valuePos(b.whisker[1]), valuePos(b.whisker[0]), (x0 + x1) / 2, 'columns')}</g>`;
      if (b.note !== undefined) extra += `<text x="${mid}" y="${n1(y0 - 3)}" text-anchor="middle" font-size="${FONT - 2}">${escapeHtml(b.note)}</text>`;
    }
    return `<g><rect${cls}${data} ${geometry} fill="${fill}" stroke="#333" stroke-width="0.5"><title>${escapeHtml(b.tip)}</title></rect>${extra}</g>`;
  }
}

/**
 * 0 and multiples of a round step (1, 2, 2.5 or 5 × 10^k) up to `max`, and `max` itself (the arena size, the
 * slowest layer) unless a round tick is already close to it.
 */
function roundTicks(max: number): number[] {
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let k = 0; k * step <= max * (1 + 1e-9); k++) ticks.push(k * step);
  if (ticks[ticks.length - 1] < 0.85 * max) ticks.push(max);
  return ticks;
}

type LegendEntry = { kind: 'series'; label: string; color: string } | { kind: 'whisker'; label: string } | { kind: 'guide'; label: string; guide: number };

/** What the legend explains: every series, the whiskers when drawn, each labelled guide. */
function legendEntries(chart: TimelineChart): LegendEntry[] {
  const entries: LegendEntry[] = chart.series.map((s) => ({ kind: 'series', label: s.label, color: s.color }));
  if (chart.boxes.some((b) => b.whisker !== undefined)) entries.push({ kind: 'whisker', label: chart.whiskerLabel ?? 'min–max' });
  (chart.guides ?? []).forEach((g, k) => {
    if (g.value <= (chart.values.max > 0 ? chart.values.max : 1)) entries.push({ kind: 'guide', label: g.label ?? g.tip, guide: k });
  });
  return entries;
}

function legendWidth(entry: LegendEntry): number {
  return 22 + Math.ceil(entry.label.length * CHAR) + 18;
}

/** Rows the legend takes in `room` pixels. */
function layoutLegend(entries: readonly LegendEntry[], room: number): number {
  let rows = 1;
  let x = 0;
  for (const e of entries) {
    const w = legendWidth(e);
    if (x > 0 && x + w > room) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

/**
 * A min–max whisker from `a` to `b` along the value axis at `at` across it: a line with a cap at each end, dark
 * and 1.5 px so it shows over a bar; when min = max the two caps coincide and still show where the value is.
 */
function whiskerPath(a: number, b: number, at: number, orientation: 'rows' | 'columns'): string {
  const cap = 4;
  const p = (v: number, across: number) => (orientation === 'rows' ? `${n1(v)} ${n1(across)}` : `${n1(across)} ${n1(v)}`);
  const d = `M${p(a, at)} L${p(b, at)} M${p(a, at - cap)} L${p(a, at + cap)} M${p(b, at - cap)} L${p(b, at + cap)}`;
  return `<path d="${d}" fill="none" stroke="${WHISKER_COLOR}" stroke-width="1.5"/>`;
}

/** One buffer of a static arena: where it lives and from which step to which it is live. */
export interface ArenaBuffer {
  name: string;
  kind: string;
  offset: number;
  size: number;
  firstStep: number;
  lastStep: number;
}

/** Colours of the buffer kinds of codegen's memory plan, shared by every arena picture. */
export const ARENA_SERIES: readonly ChartSeries[] = [
  { key: 'input', label: 'model input', color: '#6baed6' },
  { key: 'output', label: 'model output', color: '#74c476' },
  { key: 'activation', label: 'activation', color: '#fdae6b' },
  { key: 'scratch', label: 'kernel scratch', color: '#bcbddc' },
];

/**
 * The arena picture of the memory plan report and the profile report: every buffer as a box over the steps it
 * is live (x) and the arena addresses it occupies (y), its tensor name and figures on hover; dashed lines at the
 * plan's lower bounds.
 */
export function arenaChartSvg(arena: {
  buffers: readonly ArenaBuffer[];
  arenaBytes: number;
  steps: number;
  /** Dashed lines at the plan's lower bounds, e.g. "lower bound without in-place sharing". */
  lowerBounds?: readonly { label: string; bytes: number }[];
  id?: string;
  width?: number;
  height?: number;
}): string {
  // A loop, not Math.max(...spread): a graph of 100k buffers would overflow the call stack.
  const steps = arena.buffers.reduce((m, b) => Math.max(m, b.lastStep + 1), Math.max(arena.steps, 1));
  return timelineChartSvg({
    id: arena.id,
    title: 'arena buffers over layers',
    orientation: 'columns',
    steps: { label: 'layer (execution step)', count: steps },
    // Up to the arena's end, or a lower bound above it (a plan sharing memory in place can beat the plain bound).
    values: { label: 'arena offset (bytes)', max: Math.max(arena.arenaBytes, 1, ...(arena.lowerBounds ?? []).map((g) => g.bytes)) },
    series: ARENA_SERIES.filter((s) => arena.buffers.some((b) => b.kind === s.key)),
    boxes: arena.buffers.map((b) => ({
      series: b.kind,
      steps: [b.firstStep, b.lastStep + 1],
      values: [b.offset, b.offset + b.size],
      tip: `${b.name} (${b.kind}): ${b.size} bytes at offset ${b.offset}, steps ${b.firstStep}–${b.lastStep}`,
      className: 'arena-buffer',
    })),
    guides: (arena.lowerBounds ?? []).map((g) => ({ value: g.bytes, tip: `${g.label}: ${g.bytes} bytes`, label: `${g.label} (${g.bytes} B)` })),
    width: arena.width,
    height: arena.height,
  });
}
