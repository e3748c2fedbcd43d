/**
 * The CPU-heavy half of the ONNX MNIST acceptance (acceptance/onnx-mnist.spec.ts), run in a plain Node process by
 * tools/testing/run-outside-jest (jest's vm context runs the interpreter's loops about 2.5 times slower): the float
 * model on the reference interpreter, `tinyforge quantize` with calibration images, and the int8 model on the
 * reference interpreter. Outputs come back as plain numbers (float32 values survive JSON exactly). Not public API.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '@tinyforge/model-format';
import { encodeNpy } from '@tinyforge/quantizer/testing';
import { cli, float32, int8, mnistTestSet } from './acceptance';
import { runReference } from '../acceptance/engines';

/** Pixel scalings of the MNIST models: Normalize(0.5, 0.5) (`signed`) or pixel/255 (`unit`). */
export const MNIST_SCALES = { signed: (p: number): number => p / 127.5 - 1, unit: (p: number): number => p / 255 };
export type MnistScale = keyof typeof MNIST_SCALES;

/** Test image k of the MNIST test set under `scale`, as float32 (one channel: NCHW and NHWC are the same bytes). */
export function mnistImage(pixels: Uint8Array, k: number, scale: MnistScale): Float32Array {
  return Float32Array.from(pixels.subarray(k * 784, (k + 1) * 784), MNIST_SCALES[scale]);
}

/** Float images quantized with the int8 model's input parameters. */
export function mnistInt8Input(image: Float32Array, scale: number, zeroPoint: number): Uint8Array {
  return new Uint8Array(Int8Array.from(image, (v) => Math.max(-128, Math.min(127, Math.round(v / scale) + zeroPoint))).buffer);
}

export interface MnistReference {
  /** Float outputs of images 0..images-1. */
  float: number[][];
  /** The int8 model written by `tinyforge quantize`. */
  int8File: string;
  /** Its outputs on the same images, quantized with its input parameters. */
  int8: number[][];
}

/**
 * `file` on images 0..images-1 (float), quantized with images images..images+calibration-1 as an NHWC .npy
 * (28 × 28 × 1, converted to the declared layout by --calib-layout) into `work`/int8.tflite, then the int8 model on
 * images 0..images-1.
 */
export async function mnistReference(file: string, scale: MnistScale, images: number, calibration: number, work: string): Promise<MnistReference> {
  const { pixels } = mnistTestSet();
  const image = (k: number): Float32Array => mnistImage(pixels, k, scale);
  const floatGraph = readModelFile(file);
  const float = runReference(floatGraph, Array.from({ length: images }, (_, k) => new Uint8Array(image(k).buffer))).map((o) => Array.from(float32(o)));
  const calib = new Float32Array(calibration * 784);
  for (let k = 0; k < calibration; k++) calib.set(image(images + k), k * 784);
  fs.writeFileSync(path.join(work, 'calib.npy'), encodeNpy([calibration, 28, 28, 1], calib));
  const int8File = path.join(work, 'int8.tflite');
  const q = await cli('quantize', file, '--calib', path.join(work, 'calib.npy'), '--calib-layout', 'nhwc', '-o', int8File, '--json');
  if (q.code !== 0) throw new Error(q.err);
  const int8Graph = readModelFile(int8File);
  const inQ = int8Graph.tensors[int8Graph.inputs[0]].quant!;
  const inputs = Array.from({ length: images }, (_, k) => mnistInt8Input(image(k), inQ.scale[0], inQ.zeroPoint[0]));
  return { float, int8File, int8: runReference(int8Graph, inputs).map((o) => Array.from(int8(o))) };
}
