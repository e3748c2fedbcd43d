import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GraphBuilder } from '@tinyforge/ir';
import { QuantizerError } from '../errors';
import { loadCalibration, loadLabels } from './load-calibration';
import { encodeNpy, parseNpy } from './npy';
import { decodePng, encodePng } from './png';
import { readZip } from './zip';

const DATA = path.join(__dirname, 'testdata');

function imageModel(h: number, w: number, c: number) {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [1, h, w, c], dtype: 'float32' });
  const y = b.node('Relu', {}, [x], { name: 'y', dtype: 'float32' });
  return b.output(y).build();
}

/** A model whose input is declared channels first (as an ONNX import keeps it). */
function nchwModel(c: number, h: number, w: number) {
  const b = new GraphBuilder();
  const x = b.input({ name: 'x', shape: [1, c, h, w], dtype: 'float32' });
  const y = b.node('Relu', {}, [x], { name: 'y', dtype: 'float32' });
  const g = b.output(y).build();
  g.tensors[x].layout = 'NCHW';
  return g;
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantizerError);
    return `${(e as QuantizerError).code}: ${(e as QuantizerError).message}`;
  }
  throw new Error('no error');
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantizerError);
    return (e as QuantizerError).code;
  }
  throw new Error('no error');
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-calib-'));
}

describe('.npy and .npz', () => {
  it('reads numpy-written uint8 and float16 arrays', () => {
    const u8 = parseNpy(fs.readFileSync(path.join(DATA, 'u8.npy')));
    expect(u8.shape).toEqual([3, 4]);
    expect(Array.from(u8.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Array.from(parseNpy(fs.readFileSync(path.join(DATA, 'f16.npy'))).data)).toEqual([1.5, -2, 0.0009765625]);
  });

  it('round-trips its own float32 encoding', () => {
    const a = Float32Array.of(1, -2.5, 3e-8, 4);
    const back = parseNpy(encodeNpy([2, 2], a));
    expect(back.shape).toEqual([2, 2]);
    expect(back.data).toEqual(a);
  });

  it('reads stored and deflated .npz members (numpy savez / savez_compressed)', () => {
    for (const f of ['stored.npz', 'deflated.npz']) {
      const entries = readZip(fs.readFileSync(path.join(DATA, f)));
      expect(entries.map((e) => e.name).sort()).toEqual(f === 'stored.npz' ? ['x.npy', 'y.npy'] : ['labels.npy', 'x.npy']);
      const x = parseNpy(entries.find((e) => e.name === 'x.npy')!.data);
      expect(x.shape).toEqual([2, 4, 4, 3]);
      expect(x.data[95]).toBeCloseTo(0.95, 6);
    }
    const calib = loadCalibration(path.join(DATA, 'deflated.npz'), imageModel(4, 4, 3));
    expect(calib.samples).toHaveLength(2);
    expect(calib.samples[1][0][0]).toBeCloseTo(0.48, 6);
  });

  it('refuses truncated, malformed and mis-shaped data with typed errors', () => {
    const good = fs.readFileSync(path.join(DATA, 'u8.npy'));
    expect(code(() => parseNpy(good.subarray(0, good.length - 1)))).toBe('QUANT_CALIB_FORMAT');
    expect(code(() => parseNpy(new Uint8Array(20)))).toBe('QUANT_CALIB_FORMAT');
    expect(code(() => readZip(fs.readFileSync(path.join(DATA, 'stored.npz')).subarray(0, 300)))).toBe('QUANT_CALIB_FORMAT');
    const dir = tempDir();
    const file = path.join(dir, 'wrong.npy');
    fs.writeFileSync(file, encodeNpy([5, 7], new Float32Array(35)));
    expect(code(() => loadCalibration(file, imageModel(4, 4, 3)))).toBe('QUANT_CALIB_SHAPE');
    fs.writeFileSync(file, encodeNpy([0, 4, 4, 3], new Float32Array(0)));
    expect(code(() => loadCalibration(file, imageModel(4, 4, 3)))).toBe('QUANT_CALIB_EMPTY');
  });
});

describe('calibration arrays against the declared input shape', () => {
  const npy = (shape: number[]): string => {
    const file = path.join(tempDir(), 'a.npy');
    fs.writeFileSync(file, encodeNpy(shape, Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, i) => i)));
    return file;
  };

  it('refuses arrays that only have the right number of values, naming both shapes', () => {
    expect(message(() => loadCalibration(npy([5, 4, 8, 8]), imageModel(8, 8, 4)))).toMatch(/^QUANT_CALIB_SHAPE: .*array of shape \[5, 4, 8, 8\] does not hold samples of input 'x' \[1, 8, 8, 4\] NHWC: give \[N, 8, 8, 4\] \(--calib-layout nchw\|nhwc/);
    expect(message(() => loadCalibration(npy([5, 28, 4, 7]), imageModel(28, 28, 1)))).toMatch(/\[5, 28, 4, 7\] does not hold samples of input 'x' \[1, 28, 28, 1\]/);
    expect(loadCalibration(npy([5, 8, 8, 4]), imageModel(8, 8, 4)).samples).toHaveLength(5);
    expect(loadCalibration(npy([1, 8, 8, 4]), imageModel(8, 8, 4)).samples).toHaveLength(1);
    expect(loadCalibration(npy([3, 1, 8, 8, 4]), imageModel(8, 8, 4)).samples).toHaveLength(3);
  });

  it('--calib-layout converts arrays in the other layout to the declared one', () => {
    // NCHW samples [N, C=2, H=1, W=3] for an NHWC input [1, 1, 3, 2]: value (c, x) = c·3 + x lands at (x, c)
    const calib = loadCalibration(npy([2, 2, 1, 3]), imageModel(1, 3, 2), { layout: 'nchw' });
    expect(Array.from(calib.samples[0][0])).toEqual([0, 3, 1, 4, 2, 5]);
    expect(calib.description).toMatch(/converted from NCHW/);
    // and the other way: NHWC samples for a declared NCHW input
    const back = loadCalibration(npy([1, 1, 3, 2]), nchwModel(2, 1, 3), { layout: 'nhwc' });
    expect(Array.from(back.samples[0][0])).toEqual([0, 2, 4, 1, 3, 5]);
    // the declared layout itself is a no-op; a shape that fits neither is refused naming both layouts
    expect(Array.from(loadCalibration(npy([1, 2, 1, 3]), nchwModel(2, 1, 3), { layout: 'nchw' }).samples[0][0])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(message(() => loadCalibration(npy([1, 2, 1, 3]), nchwModel(2, 1, 3), { layout: 'nhwc' }))).toMatch(/\[1, 2, 1, 3\] .* \[1, 2, 1, 3\] NCHW; in NHWC that is \[1, 1, 3, 2\]/);
    const flat = new GraphBuilder();
    const x = flat.input({ name: 'v', shape: [1, 6], dtype: 'float32' });
    expect(message(() => loadCalibration(npy([2, 6]), flat.output(flat.node('Relu', {}, [x], { name: 'y', dtype: 'float32' })).build(), { layout: 'nhwc' }))).toMatch(/^QUANT_OPTIONS: .*applies to 4-D inputs/);
  });

  it('an image folder calibrates a channels-first input as C×H×W', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.png'), encodePng({ width: 2, height: 1, channels: 3, pixels: Uint8Array.of(255, 0, 51, 0, 255, 102) }));
    const calib = loadCalibration(dir, nchwModel(3, 1, 2));
    expect(Array.from(calib.samples[0][0]).map((v) => Math.round(v * 255))).toEqual([255, 0, 0, 255, 51, 102]);
  });
});

describe('folders', () => {
  it('decodes PNGs (gray, RGB) and makes normalized, resized, channel-converted tensors', () => {
    const dir = tempDir();
    const gray = { width: 2, height: 2, channels: 1, pixels: Uint8Array.of(0, 255, 255, 0) };
    fs.writeFileSync(path.join(dir, 'a.png'), encodePng(gray));
    fs.writeFileSync(path.join(dir, 'b.png'), encodePng({ width: 2, height: 2, channels: 3, pixels: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 51, 51, 51) }));
    expect(decodePng(fs.readFileSync(path.join(dir, 'a.png')))).toEqual(gray);
    const same = loadCalibration(dir, imageModel(2, 2, 3), { mean: [0.5], std: [0.5] });
    expect(Array.from(same.samples[0][0])).toEqual([-1, -1, -1, 1, 1, 1, 1, 1, 1, -1, -1, -1]);
    const up = loadCalibration(dir, imageModel(4, 4, 1), { samples: 1 });
    expect(up.samples).toHaveLength(1);
    expect(up.samples[0][0][0]).toBe(0); // corner pixels keep their value under bilinear upscaling
    expect(up.samples[0][0][3]).toBe(1);
    expect(up.samples[0][0][5]).toBeCloseTo(0.375, 6);
  });

  it('reads .bin tensors and refuses wrong sizes, empty folders and JPEG', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 's0.bin'), new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer));
    const m = imageModel(1, 2, 2);
    expect(Array.from(loadCalibration(dir, m).samples[0][0])).toEqual([1, 2, 3, 4]);
    fs.writeFileSync(path.join(dir, 's1.bin'), new Uint8Array(12));
    expect(code(() => loadCalibration(dir, m))).toBe('QUANT_CALIB_SHAPE');
    expect(code(() => loadCalibration(tempDir(), m))).toBe('QUANT_CALIB_EMPTY');
    const jpg = tempDir();
    fs.writeFileSync(path.join(jpg, 'a.jpg'), Uint8Array.of(0xff, 0xd8, 0xff));
    expect(code(() => loadCalibration(jpg, m))).toBe('QUANT_CALIB_FORMAT');
    expect(code(() => loadCalibration(path.join(dir, 'missing'), m))).toBe('QUANT_CALIB_MISSING');
  });

  it('labels from text and .npy; random data only with a warning', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'l.txt'), '3\n1\n4\n');
    expect(loadLabels(path.join(dir, 'l.txt'))).toEqual([3, 1, 4]);
    expect(loadLabels(path.join(DATA, 'u8.npy'))).toHaveLength(12);
    const r = loadCalibration('random', imageModel(2, 2, 1), { samples: 3 });
    expect(r.samples).toHaveLength(3);
    expect(r.warnings[0]).toMatch(/random/);
  });
});
