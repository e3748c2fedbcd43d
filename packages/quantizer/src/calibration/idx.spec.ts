import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { GraphBuilder } from '@tinyforge/ir';
import { loadCalibration, loadLabels } from './load-calibration';
import { isIdxName, parseIdx } from './idx';

function idx(type: number, shape: number[], values: number[]): Uint8Array {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return new Uint8Array(Buffer.concat([head, Buffer.from(values)]));
}

describe('IDX data (MNIST / Fashion-MNIST files)', () => {
  it('parses unsigned-byte images, plain or gzip-compressed', () => {
    const bytes = idx(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    for (const b of [bytes, new Uint8Array(zlib.gzipSync(bytes))]) {
      const a = parseIdx(b, 'x-idx3-ubyte');
      expect(a.shape).toEqual([2, 2, 3]);
      expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
      expect(a.unsignedBytes).toBe(true);
    }
  });

  it('refuses malformed files with the byte offset', () => {
    expect(() => parseIdx(Uint8Array.of(1, 2, 3, 4), 'f')).toThrow(/not an IDX file .*byte 0/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 1, 9), 'f')).toThrow(/unknown element type 0x42 at byte 2/);
    expect(() => parseIdx(idx(0x08, [3], [1, 2]), 'f')).toThrow(/2 data bytes; shape \[3\] needs 3/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 2, 0, 0), 'f')).toThrow(/cut short/);
    expect(() => parseIdx(Uint8Array.of(0x1f, 0x8b, 1, 2), 'f')).toThrow(/gzip/);
  });

  it('knows the file names', () => {
    expect(isIdxName('/d/t10k-images-idx3-ubyte.gz')).toBe(true);
    expect(isIdxName('t10k-labels-idx1-ubyte')).toBe(true);
    expect(isIdxName('images.npy')).toBe(false);
  });

  it('loads IDX images as samples of a one-channel input (pixel / 255) and IDX labels', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
    try {
      const images = path.join(dir, 'a-images-idx3-ubyte');
      const labels = path.join(dir, 'a-labels-idx1-ubyte.gz');
      fs.writeFileSync(images, idx(0x08, [3, 2, 2], [0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8]));
      fs.writeFileSync(labels, zlib.gzipSync(idx(0x08, [3], [7, 0, 9])));
      const b = new GraphBuilder();
      const x = b.input({ name: 'x', dtype: 'float32', shape: [1, 2, 2, 1] });
      b.output(b.node('Relu', {}, [x], { name: 'r', dtype: 'float32' }));
      const data = loadCalibration(images, b.build(), { samples: 2 });
      expect(data.samples).toHaveLength(2);
      expect(Array.from(data.samples[0][0])).toEqual([0, 0.2, 0.4, 1].map((v) => Math.fround(v)));
      expect(data.warnings.join()).toMatch(/pixel values \/ 255/);
      expect(loadLabels(labels)).toEqual([7, 0, 9]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
