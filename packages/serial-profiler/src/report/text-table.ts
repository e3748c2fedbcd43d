import { Column, formatTable, printable, shortName } from '@tinyforge/common';
import { layerEstimate, ProfileReport, ramInUseText } from './aggregate';
import { Comparison } from './compare';

/** Model and board names are untrusted: `printable` / `shortName` make them safe for the terminal, at most this wide. */
const NAME_WIDTH = 40;

const left = (header: string): Column => ({ header });
const right = (header: string): Column => ({ header, align: 'right' });

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function time(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

function clock(hz: number): string {
  return hz > 0 ? `${(hz / 1e6).toFixed(hz % 1e6 === 0 ? 0 : 2)} MHz` : 'an unknown clock';
}

/**
 * How the time column was obtained. A hardware board's counter counts cycles, so time = cycles ÷ clock. A virtual
 * board's counts instructions (QEMU has no cycle counter): its time divides instructions by the clock, as if every
 * instruction took one cycle, and says so.
 */
export function timeBasis(r: ProfileReport): { header: string; long: string } {
  if (r.unit === 'cycles') return { header: `µs at ${clock(r.clockHz)}`, long: `time = measured cycles ÷ ${clock(r.clockHz)}` };
  return {
    header: `µs at ${clock(r.clockHz)} (from instructions)`,
    long: `time derived from instructions: instructions ÷ ${clock(r.clockHz)}, as if every instruction took one cycle (the emulator counts instructions, not cycles; a real core takes more cycles than instructions)`,
  };
}

/** How the estimated-cycles columns were obtained (virtual boards with a timing model for their core). */
export function estimateNote(r: ProfileReport): string | undefined {
  const e = r.estimate;
  if (e === undefined) return undefined;
  return `estimated ${e.core} cycles, a model and not a measurement: ${e.basis}; time = estimated cycles ÷ ${clock(r.clockHz)} (a real board reports measured DWT cycles)`;
}

/** Estimated cycles and the time they take at the board clock, or '-' cells. */
function estimateCells(r: ProfileReport, index: number | 'total'): string[] {
  const e = index === 'total' ? r.estimate : layerEstimate(r, index);
  if (e === undefined) return ['-', '-'];
  return [int(e.cycles), r.clockHz > 0 ? time((e.cycles / r.clockHz) * 1e6) : '-'];
}

/** The per-layer table: layer, op, output shape, MACs, count (median, min–max), MACs per count, % of total, time. */
export function formatReportTable(r: ProfileReport): string {
  const per = r.unit === 'cycles' ? 'MACs/cycle' : 'MACs/instr';
  const rows = r.layers.map((l) => [
    String(l.index),
    shortName(l.name, NAME_WIDTH),
    printable(l.op, 20),
    l.outputShape ? `[${l.outputShape.join(',')}]` : '-',
    l.macs !== undefined ? int(l.macs) : '-',
    int(l.counts.median),
    `${int(l.counts.min)}–${int(l.counts.max)}`,
    l.macsPerCount !== undefined ? l.macsPerCount.toFixed(3) : '-',
    `${l.percent.toFixed(1)}%`,
    time(l.timeUs),
    ...(r.estimate ? estimateCells(r, l.index) : []),
  ]);
  const basis = timeBasis(r);
  const note = estimateNote(r);
  const lines = [
    `profile: ${printable(r.board, NAME_WIDTH)}, ${r.runs} run${r.runs === 1 ? '' : 's'}${r.incompleteRuns ? ` (${r.incompleteRuns} incomplete, left out)` : ''}, counts in ${r.unit} (median, min–max over the runs)${r.unit === 'cycles' ? `; ${basis.long}` : ''}`,
    formatTable([right('#'), left('layer'), left('op'), left('output'), ...['MACs', r.unit, 'min–max', per, '% total', r.unit === 'cycles' ? 'time' : 'time*', ...(note ? ['est. cycles†', 'est. time†'] : [])].map(right)], rows),
    '',
    `total: ${int(r.total.median)} ${r.unit} (min ${int(r.total.min)}, max ${int(r.total.max)})${r.clockHz > 0 ? `, ${time((r.total.median / r.clockHz) * 1e6)}${r.unit === 'cycles' ? '' : '*'}` : ''}; outside layers: ${int(r.unattributed)} ${r.unit}`,
  ];
  if (r.estimate && note) {
    const [cycles, at] = estimateCells(r, 'total');
    lines.push(`estimated ${printable(r.estimate.core, 20)}: ${cycles} cycles per inference${at !== '-' ? `, ${at} at ${clock(r.clockHz)}` : ''}†`);
  }
  if (r.unit !== 'cycles') lines.push(`* ${basis.long}`);
  if (note) lines.push(`† ${note}`);
  if (r.firmware?.ramInUse !== undefined) lines.push(ramInUseText(r.firmware.ramInUse));
  if (r.hookOverhead !== undefined) lines.push(`hook overhead: ${int(r.hookOverhead)} ${r.unit} per layer (measured on the board, already subtracted)`);
  const d = r.decoder;
  if (d && (d.corruptFrames || d.missingFrames || d.unsupportedFrames)) {
    lines.push(`stream: ${d.frames} frames, ${d.corruptFrames} corrupt, ${d.missingFrames} missing, ${d.unsupportedFrames} unsupported`);
  }
  return lines.join('\n');
}

export function formatComparison(c: Comparison): string {
  const sign = (n: number | undefined, f: (x: number) => string): string => (n === undefined ? '-' : `${n > 0 ? '+' : ''}${f(n)}`);
  const rows = c.layers.map((l) => [
    String(l.index),
    shortName(l.name, NAME_WIDTH),
    printable(l.op, 20),
    l.before !== undefined ? int(l.before) : 'new',
    l.after !== undefined ? int(l.after) : 'gone',
    sign(l.delta, int),
    sign(l.deltaPercent, (x) => `${x.toFixed(1)}%`),
    l.regression ? 'REGRESSION' : '',
  ]);
  const t = c.total;
  return [
    formatTable([right('#'), left('layer'), left('op'), ...['before', 'after', 'delta', 'delta %'].map(right), left('')], rows),
    '',
    `total: ${int(t.before)} → ${int(t.after)} ${c.unit} (${sign(t.deltaPercent, (x) => `${x.toFixed(1)}%`)})${t.regression ? ' REGRESSION' : ''}`,
    `${c.regressions} regression${c.regressions === 1 ? '' : 's'} above ${c.thresholdPercent}%`,
  ].join('\n');
}
