import * as fs from 'fs';
import * as path from 'path';
import { parseWavPcm16, readError, TinyforgeError } from '@tinyforge/common';
import { composePipeline, elementCount, Graph, tensorBytes } from '@tinyforge/ir';
import { readModel, readModelBytes } from '@tinyforge/model-format';

/**
 * A streaming pipeline file (`*.json`): a front end (an audio preprocessor: one frame of samples in, one feature row
 * out) and a classifier over the window of the latest rows, composed into one graph (ir composePipeline) that every
 * command takes like a model: codegen, build, run, profile, validate. With .wav input, `run` and `validate` cut the
 * audio into the front end's frames every `hopSamples` and report the keyword of each classification.
 *
 *   { "frontEnd": "audio_preprocessor_int8.tflite", "classifier": "micro_speech_quantized.tflite",
 *     "sampleRate": 16000, "hopSamples": 320, "stride": 1, "labels": ["silence", "unknown", "yes", "no"],
 *     "keywords": ["yes", "no"] }
 *
 * Model paths are relative to the file. `stride`: the classifier runs every stride frames (default 1: on every new
 * feature row, as micro_speech's application invokes it whenever new slices arrived). `keywords`: the labels that
 * count as a detection (default: every label); any other top label is "neither".
 */
export interface StreamPipeline {
  file: string;
  frontEnd: string;
  classifier: string;
  sampleRate: number;
  /** Samples per frame: the front end's input length (480 for 30 ms at 16 kHz). */
  frameSamples: number;
  hopSamples: number;
  stride: number;
  labels: string[];
  keywords: string[];
}

export type PipelineErrorCode = 'PIPELINE_FILE' | 'PIPELINE_AUDIO';

export class PipelineError extends TinyforgeError {
  override readonly name: string = 'PipelineError';
  constructor(
    override readonly code: PipelineErrorCode,
    message: string,
    location: { file?: string } = {},
  ) {
    super(code, message, location);
  }
}

/** Bytes a pipeline file may have (it names two models and a few numbers). */
const MAX_PIPELINE_FILE_BYTES = 64 * 1024;

/** Whether a model argument names a pipeline file rather than a model. */
export const isPipelineFile = (file: string): boolean => file.toLowerCase().endsWith('.json');

/**
 * Read a pipeline file and its two models: the composed graph, the bytes that identify it (the pipeline file and both
 * models, back to back, for the sha256 in generated code) and the pipeline's settings.
 */
export function readPipelineFile(file: string): { graph: Graph; bytes: Uint8Array; pipeline: StreamPipeline } {
  const fail = (why: string): never => {
    throw new PipelineError('PIPELINE_FILE', `${file}: ${why}`, { file });
  };
  let text: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) fail('not a regular file');
    if (st.size > MAX_PIPELINE_FILE_BYTES) fail(`${st.size} bytes, more than a pipeline file may have (${MAX_PIPELINE_FILE_BYTES})`);
    text = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof PipelineError) throw e;
    throw readError(file, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('not a JSON object');
  const o = json as Record<string, unknown>;
  const known = new Set(['frontEnd', 'classifier', 'sampleRate', 'hopSamples', 'stride', 'labels', 'keywords']);
  const extra = Object.keys(o).filter((k) => !known.has(k));
  if (extra.length > 0) fail(`unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')} (a pipeline file has ${[...known].join(', ')})`);
  const str = (k: string): string => (typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : fail(`"${k}" must be a file name`));
  const int = (k: string, fallback?: number): number => {
    const v = o[k] ?? fallback;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 ? v : fail(`"${k}" must be a positive integer, got ${JSON.stringify(v)}`);
  };
  const strings = (k: string, fallback?: string[]): string[] => {
    const v = o[k] ?? fallback;
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fail(`"${k}" must be a list of strings`);
  };
  const dir = path.dirname(file);
  const frontEnd = path.resolve(dir, str('frontEnd'));
  const classifier = path.resolve(dir, str('classifier'));
  const [frontBytes, classifierBytes] = [readModelBytes(frontEnd), readModelBytes(classifier)];
  const front = readModel(frontBytes, { file: frontEnd });
  const back = readModel(classifierBytes, { file: classifier });
  const stride = int('stride', 1);
  const graph = composePipeline(front, back, { stride, names: [stem(frontEnd), stem(classifier)] });
  const labels = strings('labels');
  const outputs = elementCount(back.tensors[back.outputs[0]].shape);
  if (labels.length !== outputs) fail(`${labels.length} labels for the classifier's ${outputs} scores`);
  const keywords = strings('keywords', labels);
  const unknownKeyword = keywords.find((k) => !labels.includes(k));
  if (unknownKeyword !== undefined) fail(`keyword ${JSON.stringify(unknownKeyword)} is not one of the labels`);
  const input = graph.tensors[graph.inputs[0]];
  if (input.dtype !== 'int16') fail(`the front end takes ${input.dtype} input; a pipeline takes 16-bit PCM frames`);
  const pipeline: StreamPipeline = {
    file,
    frontEnd,
    classifier,
    sampleRate: int('sampleRate'),
    frameSamples: tensorBytes(input) / 2,
    hopSamples: int('hopSamples'),
    stride,
    labels,
    keywords,
  };
  const bytes = new Uint8Array(text.length + frontBytes.length + classifierBytes.length);
  bytes.set(text, 0);
  bytes.set(frontBytes, text.length);
  bytes.set(classifierBytes, text.length + frontBytes.length);
  return { graph, bytes, pipeline };
}

const stem = (file: string): string => path.basename(file).replace(/\.[^.]*$/, '');

/**
 * A .wav file cut into the pipeline's frames (each `frameSamples` samples as int16 little-endian bytes, one every
 * `hopSamples`; a tail shorter than a frame is left out). Not 16-bit PCM mono: FILE_READ (common parseWavPcm16);
 * another sample rate, or shorter than one frame: PIPELINE_AUDIO naming the file.
 */
export function wavFrames(file: string, pipeline: StreamPipeline): Uint8Array[] {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw readError(file, e);
  }
  const wav = parseWavPcm16(bytes, file);
  if (wav.sampleRate !== pipeline.sampleRate) {
    throw new PipelineError('PIPELINE_AUDIO', `${file}: ${wav.sampleRate} Hz audio; the pipeline ${path.basename(pipeline.file)} takes ${pipeline.sampleRate} Hz (resample it first)`, { file });
  }
  const { frameSamples, hopSamples } = pipeline;
  if (wav.samples.length < frameSamples) {
    throw new PipelineError('PIPELINE_AUDIO', `${file}: ${wav.samples.length} samples, fewer than one frame of ${frameSamples}`, { file });
  }
  const count = Math.floor((wav.samples.length - frameSamples) / hopSamples) + 1;
  return Array.from({ length: count }, (_, f) => {
    const frame = wav.samples.slice(f * hopSamples, f * hopSamples + frameSamples);
    return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  });
}

/** One classification of a stream: the frame after which it ran, its top label and whether that is a keyword. */
export interface Detection {
  frame: number;
  /** Milliseconds of audio up to the end of that frame. */
  ms: number;
  label: string;
  keyword: string | undefined;
  scores: number[];
}

/**
 * The classifications in the outputs of a run over frames (one int8 score vector per frame): the frames after which
 * the classifier ran (every stride-th), each with its top label (the first of equal scores).
 */
export function detections(pipeline: StreamPipeline, outputs: readonly Uint8Array[]): Detection[] {
  const found: Detection[] = [];
  outputs.forEach((bytes, frame) => {
    if ((frame + 1) % pipeline.stride !== 0) return;
    const scores = Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const top = scores.reduce((best, v, i) => (v > scores[best] ? i : best), 0);
    const label = pipeline.labels[top];
    const ms = Math.round(((frame * pipeline.hopSamples + pipeline.frameSamples) * 1000) / pipeline.sampleRate);
    found.push({ frame, ms, label, keyword: pipeline.keywords.includes(label) ? label : undefined, scores });
  });
  return found;
}
