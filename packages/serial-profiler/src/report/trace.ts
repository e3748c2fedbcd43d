import { ProfileReport } from './aggregate';
import { ProfileSession } from './session';

interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/**
 * Chrome trace event format (opens in Perfetto and chrome://tracing): every run as one "inference" slice with its
 * layers nested inside, laid end to end; times in microseconds at the board clock (1 count per clock when the
 * counter counts instructions).
 */
export function traceEvents(report: ProfileReport, session: ProfileSession, unitsPerTick = 1): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, unknown> } {
  const us = (count: number): number => (report.clockHz > 0 ? (count * unitsPerTick * 1e6) / report.clockHz : count * unitsPerTick);
  const events: TraceEvent[] = [
    { name: 'process_name', ph: 'M', pid: 1, tid: 1, args: { name: `${report.board} (${report.unit})` } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'inference' } },
  ];
  let t = 0;
  const runs = session.runs.slice(-report.runs);
  for (const run of runs) {
    events.push({ name: 'inference', cat: 'inference', ph: 'X', ts: t, dur: us(run.total), pid: 1, tid: 1, args: { run: run.run, [report.unit]: run.total * unitsPerTick } });
    let at = t;
    run.layers.forEach((count, i) => {
      const l = report.layers[i];
      events.push({
        name: l ? `${l.index} ${l.op}` : `layer ${i}`,
        cat: 'layer',
        ph: 'X',
        ts: at,
        dur: us(count),
        pid: 1,
        tid: 1,
        args: { run: run.run, layer: l?.name, op: l?.op, macs: l?.macs, [report.unit]: count * unitsPerTick },
      });
      at += us(count);
    });
    t += Math.max(us(run.total), at - t) + 10;
  }
  return { traceEvents: events, displayTimeUnit: 'ns', otherData: { board: report.board, unit: report.unit, clockHz: report.clockHz } };
}
