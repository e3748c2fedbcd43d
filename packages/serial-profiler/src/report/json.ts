import { ProfilerError } from '../errors';
import { CountUnit, LayerProfile, ProfileReport, Spread } from './aggregate';

export const REPORT_FORMAT = 'tinyforge-profile';
export const REPORT_FORMAT_VERSION = 1;

const capital = (unit: CountUnit): string => (unit === 'cycles' ? 'Cycles' : 'Instructions');

/**
 * The report as JSON, every count named for what it counts: `totalCycles` / `cycles` on hardware,
 * `totalInstructions` / `instructions` on virtual boards.
 */
export function reportToJson(report: ProfileReport): Record<string, unknown> {
  const U = capital(report.unit);
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    board: report.board,
    unit: report.unit,
    clockHz: report.clockHz,
    runs: report.runs,
    incompleteRuns: report.incompleteRuns,
    ...(report.hookOverhead !== undefined ? { [`hookOverhead${U}`]: report.hookOverhead } : {}),
    [`total${U}`]: report.total,
    [`unattributed${U}`]: report.unattributed,
    layers: report.layers.map((l) => ({
      index: l.index,
      name: l.name,
      op: l.op,
      ...(l.outputShape ? { outputShape: l.outputShape } : {}),
      ...(l.macs !== undefined ? { macs: l.macs } : {}),
      [report.unit]: l.counts,
      ...(l.macsPerCount !== undefined ? { [`macsPer${U.slice(0, -1)}`]: l.macsPerCount } : {}),
      ...(l.estimatedCycles !== undefined ? { estimatedCycles: l.estimatedCycles } : {}),
      percent: l.percent,
      timeUs: l.timeUs,
    })),
    ...(report.decoder ? { decoder: report.decoder } : {}),
    ...(report.arena ? { arena: report.arena } : {}),
    ...(report.firmware ? { firmware: report.firmware } : {}),
    ...(report.accuracy ? { accuracy: report.accuracy } : {}),
    ...(report.estimatedCycles ? { estimatedCycles: report.estimatedCycles } : {}),
  };
}

export function formatReportJson(report: ProfileReport): string {
  return `${JSON.stringify(reportToJson(report), null, 2)}\n`;
}

function bad(file: string, what: string): never {
  throw new ProfilerError('PROFILE_BAD_REPORT', what, { file });
}

function readSpread(v: unknown, file: string, where: string): Spread {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || !['min', 'median', 'max'].every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]))) {
    bad(file, `${where}: expected {min, median, max} numbers`);
  }
  return { min: o.min as number, median: o.median as number, max: o.max as number };
}

/** Read a report written by formatReportJson (for --compare). Anything else is PROFILE_BAD_REPORT naming the file. */
export function parseReportJson(source: string, file = 'report'): ProfileReport {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(source) as Record<string, unknown>;
  } catch (e) {
    return bad(file, `not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== REPORT_FORMAT) return bad(file, `not a ${REPORT_FORMAT} report (no "format": "${REPORT_FORMAT}")`);
  if (doc.formatVersion !== REPORT_FORMAT_VERSION) return bad(file, `report format version ${String(doc.formatVersion)} is not supported (expected ${REPORT_FORMAT_VERSION})`);
  const unit = doc.unit;
  if (unit !== 'cycles' && unit !== 'instructions') return bad(file, `unit must be "cycles" or "instructions", got ${JSON.stringify(unit)}`);
  const U = capital(unit);
  if (!Array.isArray(doc.layers)) return bad(file, '$.layers: expected an array');
  const layers: LayerProfile[] = doc.layers.map((raw: unknown, i: number) => {
    const l = raw as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || typeof l.index !== 'number' || typeof l.name !== 'string' || typeof l.op !== 'string') {
      return bad(file, `$.layers[${i}]: expected {index, name, op, ${unit}}`);
    }
    return {
      index: l.index,
      name: l.name,
      op: l.op,
      outputShape: Array.isArray(l.outputShape) ? (l.outputShape as number[]) : undefined,
      macs: typeof l.macs === 'number' ? l.macs : undefined,
      counts: readSpread(l[unit], file, `$.layers[${i}].${unit}`),
      percent: typeof l.percent === 'number' ? l.percent : 0,
      timeUs: typeof l.timeUs === 'number' ? l.timeUs : 0,
    };
  });
  return {
    board: typeof doc.board === 'string' ? doc.board : 'unknown',
    unit,
    clockHz: typeof doc.clockHz === 'number' ? doc.clockHz : 0,
    runs: typeof doc.runs === 'number' ? doc.runs : 0,
    incompleteRuns: typeof doc.incompleteRuns === 'number' ? doc.incompleteRuns : 0,
    hookOverhead: typeof doc[`hookOverhead${U}`] === 'number' ? (doc[`hookOverhead${U}`] as number) : undefined,
    total: readSpread(doc[`total${U}`], file, `$.total${U}`),
    layers,
    unattributed: typeof doc[`unattributed${U}`] === 'number' ? (doc[`unattributed${U}`] as number) : 0,
  };
}
