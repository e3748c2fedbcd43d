import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { Graph, tensorBytes } from '@tinyforge/ir';
import { concatBytes, Interpreter } from '@tinyforge/interpreter';
import { loadTarget } from '@tinyforge/boards';
import { CommandIO, printable } from '../output';
import { LoadMethod, runOnBoard } from '../pipeline';
import { Detection, detections, StreamPipeline, wavFrames } from '../pipeline/stream-pipeline';

/** Where a stream runs: the reference interpreter, the host C build, or a (virtual) board. */
export type StreamEngine =
  | { kind: 'ref' }
  | { kind: 'host' }
  | {
      kind: 'board';
      board: string;
      load: LoadMethod;
      modelBytes?: Uint8Array;
      onProgress?: (stage: string, message: string) => void;
      /** Keep the build here (runOnBoard workDir), or run the firmware built there earlier (firmwareDir). */
      workDir?: string;
      firmwareDir?: string;
    };

export interface StreamRun {
  /** Each frame's outputs (all graph outputs back to back), in frame order. */
  outputs: Uint8Array[];
  /** On a board: instructions (virtual boards) or cycles of each frame's invoke. */
  invokeCounts?: number[];
}

/** Every frame through the pipeline, in order, in one instance (the feature window and noise estimate carry over). */
export async function runFrames(graph: Graph, frames: Uint8Array[], engine: StreamEngine): Promise<StreamRun> {
  if (engine.kind === 'ref') {
    const interpreter = new Interpreter(graph);
    return { outputs: frames.map((f) => concatBytes(interpreter.run([f]).outputs)) };
  }
  if (engine.kind === 'host') {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-stream-'));
    try {
      const program = buildHostProgram(graph, generateC(graph, { prefix: 'model' }), work, {});
      const out = runHostProgram(program, concatBytes(frames)).output;
      const size = graph.outputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
      return { outputs: frames.map((_, k) => out.slice(k * size, (k + 1) * size)) };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const r = await runOnBoard({
    model: graph,
    modelBytes: engine.modelBytes,
    board: loadTarget(engine.board),
    inputs: frames,
    load: engine.load,
    onProgress: engine.onProgress,
    workDir: engine.workDir,
    firmwareDir: engine.firmwareDir,
  });
  return { outputs: r.outputs, invokeCounts: r.invokeCounts };
}

export interface StreamSummary {
  pipeline: string;
  input: string;
  engine: string;
  frames: number;
  stride: number;
  detections: Detection[];
  /** The last classification's keyword (its window covers the latest audio), or undefined: neither. */
  keyword: string | undefined;
  /** On a board: mean instructions (or cycles) of one frame's invoke. */
  meanInvokeCount?: number;
}

/** `run PIPELINE.json --input CLIP.wav`: the clip frame by frame through the pipeline, a keyword per classification. */
export async function runStream(pipeline: StreamPipeline, graph: Graph, wav: string, engine: StreamEngine, io: CommandIO, json: boolean): Promise<StreamSummary> {
  const frames = wavFrames(wav, pipeline);
  const run = await runFrames(graph, frames, engine);
  const found = detections(pipeline, run.outputs);
  const last = found[found.length - 1];
  const counts = run.invokeCounts;
  const summary: StreamSummary = {
    pipeline: pipeline.file,
    input: wav,
    engine: engine.kind === 'board' ? engine.board : engine.kind,
    frames: frames.length,
    stride: pipeline.stride,
    detections: found,
    keyword: last?.keyword,
    ...(counts !== undefined && counts.length > 0 ? { meanInvokeCount: Math.round(counts.reduce((s, v) => s + v, 0) / counts.length) } : {}),
  };
  if (json) {
    io.out(JSON.stringify(summary, null, 2));
    return summary;
  }
  io.out(`${printable(wav, 200)}: ${frames.length} frames of ${pipeline.frameSamples} samples every ${pipeline.hopSamples}, the classifier every ${pipeline.stride} frame(s), on ${summary.engine}`);
  for (const d of found) io.out(`${String(d.ms).padStart(6)} ms  frame ${String(d.frame).padStart(3)}  ${(d.keyword ?? `neither (${d.label})`).padEnd(20)} scores ${d.scores.join(' ')}`);
  if (summary.meanInvokeCount !== undefined) io.out(`${summary.meanInvokeCount} instructions (cycles on hardware) per frame on average`);
  io.out(`detected: ${last === undefined ? 'nothing (no classification ran)' : (last.keyword ?? `neither (top label ${last.label})`)}`);
  return summary;
}
