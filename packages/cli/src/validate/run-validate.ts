import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Target } from '@tinyforge/boards';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { TinyforgeError } from '@tinyforge/common';
import { bytesOf, dequantizeValues, elementCount, Graph, viewAs } from '@tinyforge/ir';
import { concatBytes, Interpreter } from '@tinyforge/interpreter';
import { CalibrationData, loadCalibration, loadLabels, quantizeInput } from '@tinyforge/quantizer';
import { LoadMethod, runOnBoard, sliceOutput } from '../pipeline';
import { flashProgress, Progress } from '../progress';
import { ClassMetrics, classMetrics, compareOutputs, differingOutputs, OutputComparison } from './metrics';

export const VALIDATE_ENGINES = ['ref', 'host', 'board'] as const;
export type ValidateEngine = (typeof VALIDATE_ENGINES)[number];

export type ValidateErrorCode = 'VALIDATE_INPUT' | 'VALIDATE_MODELS';

/** Data, labels or models that cannot be validated together. */
export class ValidateError extends TinyforgeError {
  override readonly name = 'ValidateError';
  constructor(
    override readonly code: ValidateErrorCode,
    message: string,
    location: { file?: string } = {},
  ) {
    super(code, message, location);
  }
}

export interface ValidateOptions {
  /** The model to validate (int8 for host and board; ref also runs float models). */
  graph: Graph;
  modelFile: string;
  modelBytes?: Uint8Array;
  /** The float model it came from: the outputs' reference for RMSE, cosine, agreement. */
  floatGraph?: Graph;
  data: string;
  labels?: string;
  engines: ValidateEngine[];
  board?: Target;
  load?: LoadMethod;
  samples?: number;
  layout?: 'nchw' | 'nhwc';
  progress: Progress;
}

/** One column of the report: the float model, or an engine running the model. */
export interface EngineColumn {
  engine: 'float' | ValidateEngine;
  /** With labels. */
  accuracy?: number;
  confusion?: number[][];
  /** Against the float model's outputs (when one was given). */
  vsFloat?: OutputComparison;
  /** Against the int8 reference's raw outputs, byte for byte (host and board). */
  vsReference?: { samples: number; bytes: number };
  milliseconds: number;
  /** Board runs: the build, flash and per-inference figures. */
  board?: { name: string; flashMs?: number; medianInvoke: number; unit: string };
}

export interface ValidateReport {
  model: string;
  float?: string;
  data: string;
  samples: number;
  /** Values of the first output treated as class scores. */
  classes: number;
  labels: boolean;
  warnings: string[];
  columns: EngineColumn[];
}

/** Real values of all outputs of one run, back to back. */
function outputValues(graph: Graph, outputs: readonly Uint8Array[]): Float64Array {
  const parts = graph.outputs.map((t, i) => {
    const tensor = graph.tensors[t];
    const raw = viewAs(outputs[i], tensor.dtype) as ArrayLike<number>;
    return tensor.quant !== undefined && tensor.dtype !== 'float32' ? dequantizeValues(raw, tensor.shape, tensor.quant, tensor.quant.axis ?? 0) : Float32Array.from(raw);
  });
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function splitOutput(graph: Graph, bytes: Uint8Array): Uint8Array[] {
  return graph.outputs.map((_, i) => sliceOutput(graph, bytes, i));
}

/** The samples as the model's input bytes: floats as they are, quantized like a QUANTIZE kernel for int8/int16 inputs. */
function modelInputs(graph: Graph, sample: Float32Array[], file: string): Uint8Array[] {
  return graph.inputs.map((t, i) => {
    const tensor = graph.tensors[t];
    if (tensor.dtype === 'float32') return bytesOf(sample[i]);
    if ((tensor.dtype === 'int8' || tensor.dtype === 'int16') && tensor.quant !== undefined) return bytesOf(quantizeInput(sample[i], tensor.quant, tensor.dtype));
    throw new ValidateError('VALIDATE_MODELS', `input '${tensor.name}' is ${tensor.dtype} without quantization: validate feeds float or quantized inputs`, { file });
  });
}

function checkSameInterface(graph: Graph, float: Graph, file: string): void {
  const shapes = (g: Graph, list: number[]) => list.map((t) => g.tensors[t].shape.join('x')).join(', ');
  if (shapes(graph, graph.inputs) !== shapes(float, float.inputs) || shapes(graph, graph.outputs) !== shapes(float, float.outputs)) {
    throw new ValidateError('VALIDATE_MODELS', `the float model's inputs/outputs (${shapes(float, float.inputs)} → ${shapes(float, float.outputs)}) differ from the model's (${shapes(graph, graph.inputs)} → ${shapes(graph, graph.outputs)})`, { file });
  }
}

function runInterpreter(graph: Graph, inputs: Uint8Array[][], progress: Progress, label: string): Uint8Array[][] {
  const interpreter = new Interpreter(graph);
  const task = progress.task(label, inputs.length, 'inputs');
  const outputs = inputs.map((x, i) => {
    interpreter.resetState();
    const r = interpreter.run(x).outputs.map((o) => o.slice());
    task.update(i + 1);
    return r;
  });
  task.end();
  return outputs;
}

function runHostEngine(graph: Graph, inputs: Uint8Array[][], progress: Progress): Uint8Array[][] {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-validate-'));
  try {
    progress.stage('validate host: compiling the generated C with gcc');
    const program = buildHostProgram(graph, generateC(graph, { prefix: 'model' }), work);
    const task = progress.task('validate host', inputs.length, 'inputs');
    const outputs = inputs.map((x, i) => {
      const out = splitOutput(graph, runHostProgram(program, concatBytes(x)).output);
      task.update(i + 1);
      return out;
    });
    task.end();
    return outputs;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * `tinyforge validate`: load the data (and labels), run the float model and every engine on all samples, and
 * measure each against the float outputs, the labels and (host, board) the int8 reference byte for byte. The board
 * gets every sample over one flashed firmware.
 */
export async function validate(o: ValidateOptions): Promise<ValidateReport> {
  const { graph, progress } = o;
  if (o.floatGraph !== undefined) checkSameInterface(graph, o.floatGraph, o.modelFile);
  const data: CalibrationData = loadCalibration(o.data, graph, { samples: o.samples, layout: o.layout });
  const warnings = [...data.warnings];
  let labels: number[] | undefined;
  if (o.labels !== undefined) {
    labels = loadLabels(o.labels);
    if (labels.length < data.samples.length) throw new ValidateError('VALIDATE_INPUT', `${labels.length} labels for ${data.samples.length} samples`, { file: o.labels });
    if (labels.length > data.samples.length) labels = labels.slice(0, data.samples.length);
  }
  const firstOutput = graph.tensors[graph.outputs[0]];
  const classes = elementCount(firstOutput.shape);
  const inputs = data.samples.map((s) => modelInputs(graph, s, o.data));
  const columns: EngineColumn[] = [];
  const measure = (engine: EngineColumn['engine'], g: Graph, outputs: Uint8Array[][], milliseconds: number, floatValues?: Float64Array[]): Float64Array[] => {
    const values = outputs.map((x) => outputValues(g, x));
    const cls: ClassMetrics | undefined = labels !== undefined ? classMetrics(values, labels, classes) : undefined;
    columns.push({
      engine,
      ...(cls !== undefined ? { accuracy: cls.accuracy, confusion: cls.confusion } : {}),
      ...(floatValues !== undefined ? { vsFloat: compareOutputs(values, floatValues, classes) } : {}),
      milliseconds,
    });
    return values;
  };

  let floatValues: Float64Array[] | undefined;
  if (o.floatGraph !== undefined) {
    const floatGraph = o.floatGraph;
    const t = Date.now();
    const outs = runInterpreter(floatGraph, data.samples.map((s) => modelInputs(floatGraph, s, o.data)), progress, 'validate float');
    floatValues = measure('float', floatGraph, outs, Date.now() - t);
  }
  let reference: Uint8Array[][] | undefined;
  const referenceOutputs = (): Uint8Array[][] => (reference ??= runInterpreter(graph, inputs, progress, 'validate ref'));
  for (const engine of o.engines) {
    const t = Date.now();
    if (engine === 'ref') {
      measure('ref', graph, referenceOutputs(), Date.now() - t, floatValues);
    } else if (engine === 'host') {
      const outs = runHostEngine(graph, inputs, progress);
      measure('host', graph, outs, Date.now() - t, floatValues);
      columns[columns.length - 1].vsReference = differingOutputs(outs.map(concatBytes), referenceOutputs().map(concatBytes));
    } else {
      if (o.board === undefined) throw new ValidateError('VALIDATE_INPUT', 'the board engine needs --board');
      const task = progress.task(`validate ${o.board.name}`, inputs.length, 'inputs');
      const result = await runOnBoard({
        model: graph,
        modelBytes: o.modelBytes,
        board: o.board,
        load: o.load,
        inputs: inputs.map(concatBytes),
        onProgress: (stage, message) => (stage === 'run' ? undefined : progress.stage(`[${stage}] ${message}`)),
        onFlashProgress: flashProgress(progress, '[flash]'),
        onInference: (done) => task.update(done),
      });
      task.end();
      const outs = result.outputs.map((b) => splitOutput(graph, b));
      measure('board', graph, outs, Date.now() - t, floatValues);
      const column = columns[columns.length - 1];
      column.vsReference = differingOutputs(result.outputs, referenceOutputs().map(concatBytes));
      column.board = { name: result.board, flashMs: result.flash?.milliseconds, medianInvoke: median(result.invokeCounts), unit: result.unit };
    }
  }
  return { model: o.modelFile, data: data.description, samples: inputs.length, classes, labels: labels !== undefined, warnings, columns };
}
