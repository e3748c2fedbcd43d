import { arenaChartSvg, escapeHtml, figureList, fullNamesList, htmlReportPage, nameCell, textHeader, printable, shortName, timelineChartSvg } from '@tinyforge/common';
import { layerEstimate, ProfileReport } from './aggregate';
import { ArenaPlan } from './layer-table';
import { estimateNote, timeBasis } from './text-table';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole > 0 ? ` (${((100 * part) / whole).toFixed(1)} %)` : '');

/** Drawn at the width of a 1400-pixel window less the page margins; narrower windows scale it down. */
const CHART_WIDTH = 1340;
const NAME_MAX = 40;

/** A bar per layer (median count), its min–max over the runs as a whisker, its share of the total beside it. */
function barChart(r: ProfileReport): string {
  return timelineChartSvg({
    id: 'layer-chart',
    title: `${r.unit} per layer`,
    orientation: 'rows',
    steps: {
      label: 'layer',
      count: r.layers.length,
      names: r.layers.map((l) => `${l.index} ${printable(l.op, 18)} ${shortName(l.name, 32)}`),
      fullNames: r.layers.map((l) => `${l.index} ${l.op} ${l.name}`),
    },
    values: { label: `${r.unit} per layer (median of ${r.runs} run${r.runs === 1 ? '' : 's'})`, max: Math.max(1, ...r.layers.map((l) => l.counts.max)), format: fmt },
    series: [{ key: 'layer', label: `median ${r.unit}`, color: '#3182bd' }],
    whiskerLabel: `min–max over ${r.runs} run${r.runs === 1 ? '' : 's'}`,
    boxes: r.layers.map((l, i) => ({
      series: 'layer',
      steps: [i, i + 1],
      values: [0, l.counts.median],
      whisker: [l.counts.min, l.counts.max],
      note: `${l.percent.toFixed(1)}%`,
      tip: `${l.name} (${l.op}): median ${fmt(l.counts.median)} ${r.unit}, min ${fmt(l.counts.min)}, max ${fmt(l.counts.max)}, ${l.percent.toFixed(1)}% of total`,
      className: 'layer-bar',
      data: { layer: l.index },
    })),
    width: CHART_WIDTH,
  });
}

/** The arena picture of codegen's memory plan report, from the plan.json given with the layer table. */
function arenaPicture(a: ArenaPlan, steps: number): string {
  const bounds = [
    ...(a.lowerBoundWithSharingBytes !== undefined ? [{ label: 'lower bound with in-place sharing', bytes: a.lowerBoundWithSharingBytes }] : []),
    ...(a.lowerBoundBytes !== undefined ? [{ label: 'lower bound without in-place sharing', bytes: a.lowerBoundBytes }] : []),
  ];
  return `<h2>Arena</h2>
<p>${fmt(a.arenaBytes)} bytes of arena${a.regions !== undefined ? ` over ${a.regions.length} RAM regions, drawn one above the other from address 0: ${a.regions.map((r) => `${escapeHtml(r.name)} ${fmt(r.bytes)}`).join(', ')}` : ''}${a.flashBytes !== undefined ? `, ${fmt(a.flashBytes)} bytes of weights (constant data) in flash` : ''} (from codegen's plan.json)</p>
${arenaChartSvg({ id: 'arena', arenaBytes: a.arenaBytes, steps, buffers: a.buffers, lowerBounds: bounds, width: CHART_WIDTH, height: 420 })}`;
}

/** Estimated cycles and their time in µs at the board clock (virtual boards with a timing model). */
function estimateCells(r: ProfileReport, index: number): string {
  if (r.estimate === undefined) return '';
  const e = layerEstimate(r, index);
  if (e === undefined) return '<td>-</td><td>-</td>';
  return `<td class="estimate">${fmt(e.cycles)}</td><td class="estimate">${r.clockHz > 0 ? ((e.cycles / r.clockHz) * 1e6).toFixed(1) : '-'}</td>`;
}

function layerTable(r: ProfileReport): string {
  const basis = timeBasis(r);
  const note = estimateNote(r);
  const mhz = r.clockHz > 0 ? `${(r.clockHz / 1e6).toFixed(2)} MHz` : 'the board clock';
  // Two-line headers: the table must stay inside a 1400-pixel window with the estimate's columns added.
  const estimateHeaders = note ? `<th title="${escapeHtml(note)}">est. cycles†<br>${escapeHtml(printable(r.estimate!.core, 20))}</th><th title="${escapeHtml(note)}">est. µs†<br>at ${mhz}</th>` : '';
  const rows = r.layers.map(
    (l) =>
      `<tr><td>${l.index}</td>${nameCell(l.name, NAME_MAX)}<td class="text">${escapeHtml(printable(l.op, 24))}</td><td>${l.outputShape ? escapeHtml(`[${l.outputShape.join(',')}]`) : '-'}</td><td>${l.macs !== undefined ? fmt(l.macs) : '-'}</td><td>${fmt(l.counts.median)}</td><td>${fmt(l.counts.min)}–${fmt(l.counts.max)}</td><td>${l.macsPerCount !== undefined ? l.macsPerCount.toFixed(3) : '-'}</td><td>${l.percent.toFixed(1)}%</td><td>${l.timeUs.toFixed(1)}</td>${estimateCells(r, l.index)}</tr>`,
  );
  return `<table class="data" id="layer-table"><thead><tr><th>#</th>${textHeader('layer', 'name')}${textHeader('op')}<th>output</th><th>MACs</th><th>${escapeHtml(r.unit)} (median)</th><th>min–max</th><th>MACs/${r.unit === 'cycles' ? 'cycle' : 'instruction'}</th><th>% total</th><th title="${escapeHtml(basis.long)}">${escapeHtml(basis.header).replace(' (', '<br>(')}</th>${estimateHeaders}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="note">${escapeHtml(basis.long)}</p>
${note ? `<p class="note" id="estimate-note">† ${escapeHtml(note)}</p>` : ''}
${fullNamesList(r.layers.map((l) => ({ label: String(l.index), name: l.name })), NAME_MAX)}`;
}

/** Board, runs, totals, the firmware's flash and RAM, accuracy where it was measured. */
function summary(r: ProfileReport): string {
  const mhz = r.clockHz > 0 ? `${(r.clockHz / 1e6).toFixed(2)} MHz` : 'unknown clock';
  const figures: [string, string][] = [
    ['board', `${escapeHtml(r.board)} (${mhz}), ${r.runs} run${r.runs === 1 ? '' : 's'}${r.incompleteRuns ? `, ${r.incompleteRuns} incomplete left out` : ''}`],
    ['per inference', `<b>${fmt(r.total.median)}</b> ${escapeHtml(r.unit)} (median; min ${fmt(r.total.min)}, max ${fmt(r.total.max)}) · outside layers ${fmt(r.unattributed)}${r.hookOverhead !== undefined ? ` · hook overhead ${fmt(r.hookOverhead)} per layer (subtracted)` : ''}`],
  ];
  const e = r.estimate;
  if (e !== undefined) {
    const at = r.clockHz > 0 ? ` = ${((e.cycles / r.clockHz) * 1e3).toFixed(2)} ms at ${mhz}` : '';
    figures.push([`estimated ${escapeHtml(printable(e.core, 20))} cycles`, `<b>${fmt(e.cycles)}</b>${at} (estimate for ${fmt(e.instructions)} traced instructions, ${((100 * (e.cycles - e.instructions)) / Math.max(1, e.cycles)).toFixed(1)} % stalls; see †)`]);
  }
  const fw = r.firmware;
  if (fw !== undefined) {
    figures.push(['firmware flash', `${fmt(fw.flash.used)} of ${fmt(fw.flash.size)} bytes${pct(fw.flash.used, fw.flash.size)}${fw.weightsBytes !== undefined ? `, of which weights ${fmt(fw.weightsBytes)}` : ''}`]);
    figures.push(['firmware RAM', `${fmt(fw.ram.used)} of ${fmt(fw.ram.size)} bytes${pct(fw.ram.used, fw.ram.size)}${fw.arenaBytes !== undefined ? `, of which arena ${fmt(fw.arenaBytes)}` : ''}`]);
    const m = fw.ramInUse;
    if (m !== undefined) {
      figures.push(['RAM in use', `<b>${fmt(m.totalBytes)}</b> bytes: arena ${fmt(m.arenaBytes)} + static ${fmt(m.staticBytes)} + stack high-water ${fmt(m.stackHighWaterBytes)} (measured on the board, of ${fmt(m.stackBytes)} reserved)`]);
    }
  }
  for (const a of r.accuracy ?? []) figures.push([`accuracy (${a.label})`, `${a.correct}/${a.total}${pct(a.correct, a.total)}`]);
  return `<div id="summary">${figureList(figures)}</div>`;
}

/**
 * One self-contained page: summary (with the firmware's flash and RAM, and accuracy where known), a bar per
 * layer, the table, and the arena picture when codegen's plan.json was given.
 */
export function reportHtml(r: ProfileReport, title = 'tinyforge profile'): string {
  return htmlReportPage(
    title,
    `${summary(r)}
<h2>Per layer</h2>
${barChart(r)}
${layerTable(r)}
${r.arena ? arenaPicture(r.arena, r.layers.length) : ''}`,
  );
}
