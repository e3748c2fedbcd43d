import * as fs from 'fs';
import * as path from 'path';
import { elementCount, Graph, permute, seededUniform, Tensor, TensorLayout, transposeData } from '@tinyforge/ir';
import { QuantizerError } from '../errors';
import { Sample } from './calibrate';
import { imageToTensor, ImagePreprocess } from './images';
import { isIdxName, parseIdx } from './idx';
import { NdArray, parseNpy } from './npy';
import { decodePng } from './png';
import { readZip } from './zip';

export interface CalibrationData {
  samples: Sample[];
  /** What was loaded, for the report ("120 PNG images from calib/"). */
  description: string;
  warnings: string[];
}

export interface LoadCalibrationOptions {
  /** Use at most this many samples (the first ones, in file / name order). */
  samples?: number;
  resize?: [number, number];
  mean?: number[];
  std?: number[];
  channels?: number;
  /** Seed of `random` data. */
  seed?: number;
  /**
   * The axis order of 4-D calibration arrays and .bin tensors, when it is not the model input's declared layout:
   * samples are converted to the declared layout (`--calib-layout nchw|nhwc`).
   */
  layout?: 'nchw' | 'nhwc';
}

/** A 4-D input's declared layout (Tensor.layout; NHWC when absent, the IR's own). */
function declaredLayout(t: Tensor): TensorLayout {
  return t.layout ?? 'NHWC';
}

/**
 * How samples given in `layout` become the input's declared layout: the shape one sample has in that layout and the
 * permutation to apply (undefined when none is needed).
 */
function sampleLayout(t: Tensor, layout: LoadCalibrationOptions['layout'], file: string | undefined): { shape: number[]; perm?: number[] } {
  if (layout === undefined) return { shape: [...t.shape] };
  if (t.shape.length !== 4) throw new QuantizerError('QUANT_OPTIONS', `--calib-layout ${layout} applies to 4-D inputs; input '${t.name}' is [${t.shape.join(', ')}]`, { file });
  const given = layout.toUpperCase() as TensorLayout;
  const declared = declaredLayout(t);
  if (given === declared) return { shape: [...t.shape] };
  // declared NCHW [N,C,H,W] given NHWC: the sample is [N,H,W,C] and goes back by [0,3,1,2]; the other way round, the inverse.
  const toGiven = declared === 'NCHW' ? [0, 2, 3, 1] : [0, 3, 1, 2];
  const toDeclared = declared === 'NCHW' ? [0, 3, 1, 2] : [0, 2, 3, 1];
  return { shape: permute(t.shape, toGiven), perm: toDeclared };
}

/** One sample in the declared layout. */
function toDeclared(values: Float32Array, shape: number[], perm: number[] | undefined): Float32Array {
  if (perm === undefined) return values;
  return new Float32Array(transposeData(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), shape, perm, 4).buffer);
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/**
 * How many samples an array of `arrayShape` holds for a sample of `sampleShape`: [S…] is one sample, [N, S…] is N,
 * and for a batch-1 sample [1, R…] also [N, R…] (the batch axis of the file is the samples axis). Else undefined.
 */
function samplesIn(arrayShape: readonly number[], sampleShape: readonly number[]): number | undefined {
  const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(arrayShape, sampleShape)) return 1;
  if (arrayShape.length === sampleShape.length + 1 && same(arrayShape.slice(1), sampleShape)) return arrayShape[0];
  if (sampleShape[0] === 1 && same(arrayShape.slice(1), sampleShape.slice(1)) && arrayShape.length === sampleShape.length) return arrayShape[0];
  return undefined;
}

/** Samples for `random`, when asked for explicitly (uniform in [0, 1)). */
export const DEFAULT_RANDOM_SAMPLES = 32;

/**
 * Calibration samples from `source`: a .npy/.npz file (first axis = samples), a folder of PNG images or of raw
 * float32 .bin tensors (one sample per file, all inputs back to back), or the word `random`.
 */
export function loadCalibration(source: string, graph: Graph, options: LoadCalibrationOptions = {}): CalibrationData {
  const limit = options.samples ?? Infinity;
  if (source === 'random') return randomSamples(graph, options.samples ?? DEFAULT_RANDOM_SAMPLES, options.seed ?? 1);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new QuantizerError('QUANT_CALIB_MISSING', 'calibration data not found', { file: source });
  }
  if (stat.isDirectory()) return loadFolder(source, graph, options, limit);
  const ext = path.extname(source).toLowerCase();
  const bytes = readFile(source);
  if (ext === '.npy') return fromArrays([parseNpy(bytes, source)], graph, limit, `${source}`, source, options.layout);
  if (ext === '.npz') return fromNpz(bytes, source, graph, limit, options.layout);
  if (isIdxName(source)) return fromIdx(bytes, source, graph, limit);
  throw new QuantizerError('QUANT_CALIB_FORMAT', `calibration data must be a .npy, .npz or IDX file (…-idx3-ubyte[.gz]), a folder of images or .bin files, or 'random' (got '${ext}')`, { file: source });
}

/**
 * IDX images ([N, H, W], MNIST style) for a one-input model whose sample has H·W values (one channel, either
 * layout): unsigned bytes become pixel / 255, in [0, 1] — said in the warnings, since the model may want another
 * scaling.
 */
function fromIdx(bytes: Uint8Array, file: string, graph: Graph, limit: number): CalibrationData {
  const idx = parseIdx(bytes, file);
  if (graph.inputs.length !== 1) throw new QuantizerError('QUANT_CALIB_SHAPE', `IDX data feeds one-input models; this one has ${graph.inputs.length}`, { file });
  const input = graph.tensors[graph.inputs[0]];
  const perSample = elementCount(input.shape);
  const fileSample = elementCount(idx.shape.slice(1));
  if (idx.shape.length < 2 || fileSample !== perSample) {
    throw new QuantizerError('QUANT_CALIB_SHAPE', `IDX array ${shapeText(idx.shape)} holds samples of ${fileSample} values; input '${input.name}' ${shapeText(input.shape)} takes ${perSample}`, { file });
  }
  const data = idx.unsignedBytes ? idx.data.map((v) => v / 255) : idx.data;
  const result = fromArrays([{ shape: [idx.shape[0], ...input.shape.slice(input.shape[0] === 1 ? 1 : 0)], data }], graph, limit, file, file);
  const how = idx.unsignedBytes ? 'pixel values / 255, in [0, 1]' : 'values as stored';
  return { ...result, warnings: [...result.warnings, `IDX ${shapeText(idx.shape)} read as samples of ${shapeText(input.shape)} (${how})`] };
}

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new QuantizerError('QUANT_CALIB_FORMAT', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
}

function randomSamples(graph: Graph, n: number, seed: number): CalibrationData {
  const next = seededUniform(seed);
  const samples = Array.from({ length: n }, () => graph.inputs.map((t) => Float32Array.from({ length: elementCount(graph.tensors[t].shape) }, next)));
  return {
    samples,
    description: `${n} random sample${n === 1 ? '' : 's'}, uniform in [0, 1)`,
    warnings: ['calibrated on random data (--calib random): ranges do not reflect real inputs, expect poor accuracy'],
  };
}

/**
 * Split arrays (one per model input, first axis = samples) into samples, checking each array's whole shape against
 * the input's declared shape (in `layout` when given, converted to the declared layout).
 */
export function fromArrays(arrays: NdArray[], graph: Graph, limit: number, description: string, file?: string, layout?: LoadCalibrationOptions['layout']): CalibrationData {
  if (arrays.length !== graph.inputs.length) {
    throw new QuantizerError('QUANT_CALIB_SHAPE', `${arrays.length} arrays for a model with ${graph.inputs.length} inputs`, { file });
  }
  let count = -1;
  const perInput = arrays.map((arr, i) => {
    const t = graph.tensors[graph.inputs[i]];
    const { shape, perm } = sampleLayout(t, layout, file);
    const n = samplesIn(arr.shape, shape);
    if (n === undefined) {
      const declared = `${shapeText(t.shape)}${t.shape.length === 4 ? ` ${declaredLayout(t)}` : ''}`;
      const wanted = layout !== undefined && perm !== undefined ? `; in ${layout.toUpperCase()} that is ${shapeText(shape)}` : '';
      const hint = t.shape.length === 4 && perm === undefined ? ' (--calib-layout nchw|nhwc converts arrays in the other layout)' : '';
      throw new QuantizerError('QUANT_CALIB_SHAPE', `array of shape ${shapeText(arr.shape)} does not hold samples of input '${t.name}' ${declared}${wanted}: give [N, ${shape.slice(shape[0] === 1 ? 1 : 0).join(', ')}]${hint}`, { file });
    }
    if (count >= 0 && n !== count) throw new QuantizerError('QUANT_CALIB_SHAPE', `arrays hold ${count} and ${n} samples`, { file });
    count = n;
    return { arr, size: elementCount(t.shape), shape, perm };
  });
  if (count === 0) throw new QuantizerError('QUANT_CALIB_EMPTY', 'the calibration array holds no samples', { file });
  const n = Math.min(count, limit);
  const samples = Array.from({ length: n }, (_, k) => perInput.map(({ arr, size, shape, perm }) => toDeclared(arr.data.slice(k * size, (k + 1) * size), shape, perm)));
  const converted = perInput.some((p) => p.perm !== undefined) ? ` (converted from ${layout?.toUpperCase()})` : '';
  return { samples, description: `${n} sample${n === 1 ? '' : 's'} from ${description}${converted}`, warnings: [] };
}

/** An .npz: the arrays named after the model inputs, else `x`, else the only (or first non-label) array. */
function fromNpz(bytes: Uint8Array, file: string, graph: Graph, limit: number, layout: LoadCalibrationOptions['layout']): CalibrationData {
  const arrays = new Map(readZip(bytes, file).filter((e) => e.name.endsWith('.npy')).map((e) => [e.name.slice(0, -4), parseNpy(e.data, `${file}:${e.name}`)]));
  if (arrays.size === 0) throw new QuantizerError('QUANT_CALIB_EMPTY', 'the .npz holds no arrays', { file });
  const names = graph.inputs.map((t) => graph.tensors[t].name);
  let chosen: NdArray[];
  if (names.every((n) => arrays.has(n))) chosen = names.map((n) => arrays.get(n)!);
  else if (arrays.has('x')) chosen = [arrays.get('x')!];
  else chosen = [[...arrays.entries()].find(([k]) => !/^(y|labels?)$/.test(k))?.[1] ?? [...arrays.values()][0]];
  return fromArrays(chosen, graph, limit, file, file, layout);
}

function loadFolder(dir: string, graph: Graph, options: LoadCalibrationOptions, limit: number): CalibrationData {
  const files = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  const bins = files.filter((f) => f.toLowerCase().endsWith('.bin'));
  const images = files.filter((f) => /\.(png|jpe?g)$/i.test(f));
  if (bins.length === 0 && images.length === 0) throw new QuantizerError('QUANT_CALIB_EMPTY', 'the folder holds no .png, .jpg or .bin files', { file: dir });
  if (bins.length > 0 && images.length > 0) throw new QuantizerError('QUANT_CALIB_FORMAT', 'the folder mixes images and .bin files', { file: dir });
  if (bins.length > 0) return loadBins(dir, bins.slice(0, limit), graph, options.layout);
  const jpeg = images.find((f) => /\.jpe?g$/i.test(f));
  if (jpeg !== undefined) throw new QuantizerError('QUANT_CALIB_FORMAT', 'JPEG images are not supported (no JPEG decoder is installed): convert them to PNG', { file: path.join(dir, jpeg) });
  if (graph.inputs.length !== 1) throw new QuantizerError('QUANT_CALIB_SHAPE', `image folders calibrate one-input models; this one has ${graph.inputs.length}`, { file: dir });
  const input = graph.tensors[graph.inputs[0]];
  // An image is H×W×C; a channels-first input takes it as C×H×W.
  const channelsFirst = input.shape.length === 4 && declaredLayout(input) === 'NCHW';
  const [h, w, c] = input.shape.length === 4 ? (channelsFirst ? [input.shape[2], input.shape[3], input.shape[1]] : input.shape.slice(1)) : input.shape.length === 3 ? input.shape : [];
  if (h === undefined || (input.shape.length === 4 && input.shape[0] !== 1)) {
    throw new QuantizerError('QUANT_CALIB_SHAPE', `input '${input.name}' [${input.shape.join(', ')}] is not an image (want [1, H, W, C] or [1, C, H, W])`, { file: dir });
  }
  const pre: ImagePreprocess = { height: h, width: w, channels: options.channels ?? c, mean: options.mean ?? [0], std: options.std ?? [1] };
  if (options.resize !== undefined && (options.resize[0] !== h || options.resize[1] !== w)) {
    throw new QuantizerError('QUANT_CALIB_SHAPE', `--resize ${options.resize.join('x')} does not match the model input ${h}x${w}`, { file: dir });
  }
  if (pre.channels !== c) throw new QuantizerError('QUANT_CALIB_SHAPE', `--channels ${pre.channels} does not match the model input's ${c}`, { file: dir });
  const chosen = images.slice(0, limit);
  const samples = chosen.map((f) => {
    const file = path.join(dir, f);
    const hwc = imageToTensor(decodePng(readFile(file), file), pre, file);
    return [channelsFirst ? toDeclared(hwc, [1, h, w, c], [0, 3, 1, 2]) : hwc];
  });
  return { samples, description: `${samples.length} PNG image${samples.length === 1 ? '' : 's'} from ${dir}${channelsFirst ? ' (as NCHW)' : ''}`, warnings: [] };
}

function loadBins(dir: string, files: string[], graph: Graph, layout: LoadCalibrationOptions['layout']): CalibrationData {
  const inputs = graph.inputs.map((t) => ({ size: elementCount(graph.tensors[t].shape), ...sampleLayout(graph.tensors[t], layout, dir) }));
  const total = inputs.reduce((a, b) => a + b.size, 0);
  const samples = files.map((f) => {
    const file = path.join(dir, f);
    const bytes = readFile(file);
    if (bytes.length !== total * 4) {
      throw new QuantizerError('QUANT_CALIB_SHAPE', `${bytes.length} bytes; the model's inputs take ${total} float32 values (${total * 4} bytes)`, { file });
    }
    const all = new Float32Array(total);
    new Uint8Array(all.buffer).set(bytes);
    let at = 0;
    return inputs.map(({ size, shape, perm }) => toDeclared(all.slice(at, (at += size)), shape, perm));
  });
  return { samples, description: `${samples.length} .bin tensor${samples.length === 1 ? '' : 's'} from ${dir}`, warnings: [] };
}

/** Class labels: a .npy or IDX file of integers, or a text file with one label per line. */
export function loadLabels(file: string): number[] {
  const bytes = readFile(file);
  const labels = path.extname(file).toLowerCase() === '.npy'
    ? Array.from(parseNpy(bytes, file).data)
    : isIdxName(file)
      ? Array.from(parseIdx(bytes, file).data)
      : Buffer.from(bytes).toString('utf8').split(/\s+/).filter((s) => s.length > 0).map(Number);
  const bad = labels.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new QuantizerError('QUANT_CALIB_FORMAT', `label ${bad} is not a class index`, { file });
  return labels;
}
