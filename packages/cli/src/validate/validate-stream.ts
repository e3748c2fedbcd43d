import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatTable, readError } from '@tinyforge/common';
import { Graph } from '@tinyforge/ir';
import { LoadMethod } from '../pipeline';
import { detections, StreamPipeline, wavFrames } from '../pipeline/stream-pipeline';
import { runFrames, StreamEngine } from '../commands/run-stream';
import { Progress } from '../progress';
import { ValidateError } from './run-validate';

/** What `validate PIPELINE.json --data CLIPS` found: each clip's verdict per engine, against its expected label. */
export interface StreamValidateReport {
  pipeline: string;
  data: string;
  engines: string[];
  clips: { file: string; expected?: string; verdicts: Record<string, string> }[];
  /** Per engine, with labels: the share of clips whose verdict is the expected one. */
  accuracy?: Record<string, number>;
  /** Per engine other than ref: clips whose outputs (every frame's scores) differ from the reference's in any byte. */
  differingFromReference: Record<string, number>;
}

/** The .wav files of a folder (sorted by name), or the one file given. */
function clipFiles(data: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(data);
  } catch (e) {
    throw readError(data, e);
  }
  if (!st.isDirectory()) return [data];
  const files = fs.readdirSync(data).filter((f) => f.toLowerCase().endsWith('.wav')).sort().map((f) => path.join(data, f));
  if (files.length === 0) throw new ValidateError('VALIDATE_INPUT', `${data} holds no .wav files`, { file: data });
  return files;
}

/** A clip's verdict: the last classification's keyword, or "neither". */
const verdictOf = (pipeline: StreamPipeline, outputs: Uint8Array[]): string => {
  const found = detections(pipeline, outputs);
  return found[found.length - 1]?.keyword ?? 'neither';
};

/**
 * `tinyforge validate PIPELINE.json --data CLIPS [--labels L] [--engine ref,host,board]`: every .wav clip from the
 * start (fresh state: a new interpreter state, host process or board boot per clip), its verdict on each engine; with
 * labels (one per line in the clips' order: a keyword or "neither"), the accuracy; host and board outputs compared
 * with the reference byte for byte.
 */
export async function validateStream(o: {
  graph: Graph;
  pipeline: StreamPipeline;
  modelBytes: Uint8Array;
  data: string;
  labels?: string;
  engines: string[];
  board?: string;
  load?: LoadMethod;
  progress: Progress;
}): Promise<StreamValidateReport> {
  const files = clipFiles(o.data);
  let expected: string[] | undefined;
  if (o.labels !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(o.labels, 'utf8');
    } catch (e) {
      throw readError(o.labels, e);
    }
    expected = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
    if (expected.length !== files.length) throw new ValidateError('VALIDATE_INPUT', `${expected.length} labels for ${files.length} clips`, { file: o.labels });
    const allowed = [...o.pipeline.keywords, 'neither'];
    const bad = expected.find((l) => !allowed.includes(l));
    if (bad !== undefined) throw new ValidateError('VALIDATE_INPUT', `label '${bad}' is not one of ${allowed.join(', ')}`, { file: o.labels });
  }
  const frames = files.map((f) => wavFrames(f, o.pipeline));
  const outputs = new Map<string, Uint8Array[][]>();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-validate-stream-'));
  try {
    for (const engine of o.engines) {
      const task = o.progress.task(`validate ${engine}`, files.length, 'clips');
      const runs: Uint8Array[][] = [];
      for (const [k, clip] of frames.entries()) {
        const firmwareDir = path.join(work, 'firmware');
        const how: StreamEngine =
          engine === 'board'
            ? { kind: 'board', board: o.board!, load: o.load ?? 'serial', modelBytes: o.modelBytes, ...(k === 0 ? { workDir: firmwareDir } : { firmwareDir }) }
            : { kind: engine as 'ref' | 'host' };
        runs.push((await runFrames(o.graph, clip, how)).outputs);
        task.update(k + 1);
      }
      task.end();
      outputs.set(engine, runs);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const clips = files.map((file, k) => ({
    file,
    ...(expected !== undefined ? { expected: expected[k] } : {}),
    verdicts: Object.fromEntries(o.engines.map((e) => [e, verdictOf(o.pipeline, outputs.get(e)![k])])),
  }));
  const same = (a: Uint8Array[], b: Uint8Array[]): boolean => a.length === b.length && a.every((x, i) => Buffer.from(x).equals(Buffer.from(b[i])));
  const reference = outputs.get('ref');
  const differingFromReference = Object.fromEntries(
    o.engines.filter((e) => e !== 'ref' && reference !== undefined).map((e) => [e, outputs.get(e)!.filter((runs, k) => !same(runs, reference![k])).length]),
  );
  const accuracy = expected !== undefined ? Object.fromEntries(o.engines.map((e) => [e, clips.filter((c) => c.verdicts[e] === c.expected).length / clips.length])) : undefined;
  return { pipeline: o.pipeline.file, data: o.data, engines: o.engines, clips, ...(accuracy !== undefined ? { accuracy } : {}), differingFromReference };
}

export function streamValidateText(r: StreamValidateReport): string {
  const columns = [{ header: 'clip' }, ...(r.clips.some((c) => c.expected !== undefined) ? [{ header: 'expected' }] : []), ...r.engines.map((e) => ({ header: e }))];
  const rows = r.clips.map((c) => [path.basename(c.file), ...(c.expected !== undefined ? [c.expected] : []), ...r.engines.map((e) => c.verdicts[e])]);
  const lines = [formatTable(columns, rows)];
  if (r.accuracy !== undefined) lines.push(`accuracy: ${r.engines.map((e) => `${e} ${(100 * r.accuracy![e]).toFixed(1)}%`).join(', ')} (${r.clips.length} clips)`);
  for (const [e, n] of Object.entries(r.differingFromReference)) lines.push(`${e} vs ref: ${n === 0 ? 'every frame\'s scores byte-identical' : `${n} of ${r.clips.length} clips differ`}`);
  return lines.join('\n');
}
