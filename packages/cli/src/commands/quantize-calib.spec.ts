/**
 * quantize's calibration input, as a new user meets it: --help says which shapes, dtypes and layout --calib takes;
 * 8-bit 0–255 data for a float model is calibrated on but flagged (the demo model, trained on [0, 1], loses most of
 * its accuracy on it); scaled data is not; one sample is "1 sample".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SeededRandom } from '@tinyforge/ir';
import { cliCapture } from '../test-support/cli-capture';

const DEMO_MODEL = path.resolve(__dirname, '../../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');

const cli = cliCapture;

/** A .npy file as numpy writes it: version 1.0 header padded to 64 bytes, then the raw little-endian values. */
function npy(descr: string, shape: number[], bytes: Uint8Array): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = `${dict}${' '.repeat(pad % 64)}\n`;
  const prefix = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(bytes)]);
}

describe('quantize --calib: what it takes, and data on the wrong scale', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-calib-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rng = new SeededRandom(7);
  // Image-like 8-bit data for the demo model's input (declared NCHW [1, 1, 28, 28]): 4 samples as uint8, and the same
  // scaled to [0, 1].
  const pixels = Uint8Array.from({ length: 4 * 784 }, (_, i) => (Math.floor(i / 28) % 28 > 6 && Math.floor(i / 28) % 28 < 20 ? rng.int(120, 255) : rng.int(0, 30)));
  const raw = path.join(dir, 'raw_uint8.npy');
  fs.writeFileSync(raw, npy('|u1', [4, 1, 28, 28], pixels));
  const scaled = path.join(dir, 'scaled.npy');
  fs.writeFileSync(scaled, npy('<f4', [4, 1, 28, 28], new Uint8Array(Float32Array.from(pixels, (p) => p / 255).buffer)));
  const one = path.join(dir, 'one.npy');
  fs.writeFileSync(one, npy('<f4', [1, 1, 28, 28], new Uint8Array(Float32Array.from(pixels.subarray(0, 784), (p) => p / 255).buffer)));

  it('--help documents the shapes, dtypes and layout --calib accepts', async () => {
    const r = await cli('quantize', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Calibration data \(--calib PATH, also --eval PATH\):/);
    expect(r.out).toMatch(/FILE\.npy +one array for a one-input model: shape \(N, \.\.\.\) with N samples/);
    expect(r.out).toMatch(/dtypes: float32, float64, float16, int8\/16\/32\/64, uint8\/16\/32, bool; C order, little-endian/);
    expect(r.out).toMatch(/Layout: values in the order of the input as `tinyforge inspect MODEL` shows it — NHWC for images/);
  });

  it('uint8 0–255 data for a float model: calibrated as given, with a warning that says what it looks like', async () => {
    const r = await cli('quantize', DEMO_MODEL, '--calib', raw, '-o', path.join(dir, 'raw.tflite'), '--json');
    expect(r.code).toBe(0);
    const warnings: string[] = JSON.parse(r.out).report.warnings;
    expect(warnings).toEqual([expect.stringMatching(/^calibration data for input '[^']+' spans \[0, 255\], whole numbers only: it looks like unscaled 8-bit data \(0–255\), fed to the float model as it is; .*scale the data \(x \/ 255\)/)]);
    const text = await cli('quantize', DEMO_MODEL, '--calib', raw, '-o', path.join(dir, 'raw.tflite'));
    expect(text.out).toMatch(/^warning: calibration data for input .* looks like unscaled 8-bit data/m);
  }, 120_000);

  it('the same data scaled to [0, 1]: no warning; one sample is "1 sample"', async () => {
    const r = await cli('quantize', DEMO_MODEL, '--calib', scaled, '-o', path.join(dir, 'scaled.tflite'), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.report.warnings).toEqual([]);
    expect(json.calibration).toBe(`4 samples from ${scaled}`);
    const single = await cli('quantize', DEMO_MODEL, '--calib', one, '-o', path.join(dir, 'one.tflite'));
    expect(single.code).toBe(0);
    expect(single.out).toContain(`(1 sample from ${one};`);
  }, 120_000);
});
