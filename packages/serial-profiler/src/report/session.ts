import { DecoderStats } from '../protocol/decoder';
import { CounterKind, DecodedFrame, InferenceRecord, LayerInfoRecord } from '../protocol/records';

/** One inference whose every layer record arrived intact. Counts are raw counter ticks, overhead already subtracted. */
export interface ProfileRun {
  run: number;
  total: number;
  layers: number[];
}

/** Everything a board sent during one profiling session, sorted into complete runs. */
export interface ProfileSession {
  counter?: CounterKind;
  clockHz?: number;
  layerCount?: number;
  overhead?: { count: number; samples: number };
  layerInfo: LayerInfoRecord[];
  /** Op id of each layer index, from the layer records. */
  opIds: number[];
  runs: ProfileRun[];
  /** Runs with a missing layer or inference record (damaged frames): left out of every statistic. */
  incompleteRuns: number;
  decoder?: DecoderStats;
  text: string[];
}

/**
 * Sorts decoded frames into runs as they arrive. A run is complete when its inference record arrives and all
 * `layerCount` layer records of the same run number came before it.
 */
export class SessionCollector {
  readonly session: ProfileSession = { layerInfo: [], opIds: [], runs: [], incompleteRuns: 0, text: [] };
  private pending = new Map<number, Map<number, number>>();

  add(frame: DecodedFrame): void {
    const r = frame.record;
    const s = this.session;
    switch (r.type) {
      case 'hello':
        s.counter = r.counter;
        s.clockHz = r.clockHz;
        s.layerCount = r.layerCount;
        this.dropPending();
        return;
      case 'layerInfo':
        s.layerInfo = s.layerInfo.filter((l) => l.index !== r.index).concat(r).sort((a, b) => a.index - b.index);
        return;
      case 'overhead':
        s.overhead = { count: r.count, samples: r.samples };
        return;
      case 'layer': {
        let layers = this.pending.get(r.run);
        if (layers === undefined) this.pending.set(r.run, (layers = new Map()));
        layers.set(r.index, r.count);
        s.opIds[r.index] = r.opId;
        return;
      }
      case 'inference':
        this.finishRun(r);
        return;
    }
  }

  addText(line: string): void {
    this.session.text.push(line);
  }

  /** A later run started while an earlier one is still open: its inference record was lost. */
  private finishRun(r: InferenceRecord): void {
    const layers = this.pending.get(r.run);
    this.pending.delete(r.run);
    for (const run of [...this.pending.keys()]) {
      if (run < r.run) {
        this.pending.delete(run);
        this.session.incompleteRuns++;
      }
    }
    const counts = Array.from({ length: r.layerCount }, (_, i) => layers?.get(i));
    if (counts.some((c) => c === undefined)) {
      this.session.incompleteRuns++;
      return;
    }
    this.session.runs.push({ run: r.run, total: r.total, layers: counts as number[] });
  }

  private dropPending(): void {
    this.session.incompleteRuns += this.pending.size;
    this.pending.clear();
  }

  /** Runs still open at the end of the stream count as incomplete, unless the caller stopped reading on purpose. */
  finish(decoder?: DecoderStats, options: { countOpenRuns?: boolean } = {}): ProfileSession {
    if (options.countOpenRuns ?? true) this.dropPending();
    else this.pending.clear();
    if (decoder) this.session.decoder = { ...decoder };
    return this.session;
  }
}
