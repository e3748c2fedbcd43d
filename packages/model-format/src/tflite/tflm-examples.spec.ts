import * as fs from 'fs';
import * as path from 'path';
import { ModelFormatError } from '../errors';
import { perAxisDimension, readTflite } from './reader';

/** TFLite Micro's example models (`../shared/tflm`, see its SOURCES.md), absent on some machines. */
const TFLM_DIR = path.resolve(__dirname, '../../../../../shared/tflm');
const present = fs.existsSync(TFLM_DIR);
if (!present) console.warn(`TFLite Micro example model tests skipped: ${TFLM_DIR} not found`);
const withModels = present ? describe : describe.skip;
const read = (file: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(TFLM_DIR, file)));

function failure(file: string): ModelFormatError {
  try {
    readTflite(read(file), { file });
  } catch (e) {
    if (e instanceof ModelFormatError) return e;
    throw e;
  }
  throw new Error(`${file} was read`);
}

describe('quantized_dimension (TFLite Micro reads it only for per-channel filters)', () => {
  it('ignores it for one scale and for a 1-D tensor with a scale per element', () => {
    expect(perAxisDimension(1, 7, [16, 3, 3, 8])).toBe(0);
    expect(perAxisDimension(8, 3, [8])).toBe(0);
    expect(perAxisDimension(8, 0, [8])).toBe(0);
    expect(perAxisDimension(8, 0, [8, 3, 3, 4])).toBe(0);
    expect(perAxisDimension(8, 3, [1, 3, 3, 8])).toBe(3);
  });
  it('rejects what TFLite rejects: a dimension out of range, or a scale count that is not the dimension', () => {
    expect(perAxisDimension(4, 0, [8])).toBeUndefined();
    expect(perAxisDimension(8, 4, [1, 3, 3, 8])).toBeUndefined();
    expect(perAxisDimension(8, -1, [8, 3, 3, 4])).toBeUndefined();
    expect(perAxisDimension(8, 3, [8, 3, 3, 4])).toBeUndefined();
  });
});

withModels('TFLite Micro example models', () => {
  it('reads person_detect, whose 1-D biases carry quantized_dimension 3', () => {
    const g = readTflite(read('person_detect.tflite'));
    const bias = g.tensors.find((t) => t.name === 'MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias')!;
    expect(bias.shape).toEqual([8]);
    expect(bias.quant?.scale).toHaveLength(8);
    expect(bias.quant?.axis).toBe(0);
    expect(g.nodes.filter((n) => n.op === 'Conv2D')).toHaveLength(14);
    expect(g.nodes.filter((n) => n.op === 'DepthwiseConv2D')).toHaveLength(14);
  });

  it('reads a quantized int32 tensor (seanet QUANTIZE int32 → int16, supported since the 16x8 kernels)', () => {
    const g = readTflite(read('seanet/quantize/quantize0.tflite'));
    const quantize = g.nodes.find((n) => n.op === 'Quantize')!;
    expect(g.tensors[quantize.inputs[0]].dtype).toBe('int32');
    expect(g.tensors[quantize.inputs[0]].quant).toBeDefined();
  });

  it('names every unsupported builtin, custom op and tensor type at once, by name', () => {
    const audio = failure('audio_preprocessor_int8.tflite');
    const names = audio.unsupported.map((f) => `${f.kind}: ${f.name}`);
    expect(names).toEqual(expect.arrayContaining(['tensor type: UINT32', 'tensor type: UINT64', "operator: custom 'SignalWindow'", 'operator: CAST (builtin 53)']));
    expect(audio.message).toMatch(/tensor type UINT32 ×6/);
    expect(audio.message).not.toMatch(/TensorType \d/);
  });
});
