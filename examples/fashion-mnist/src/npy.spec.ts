import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_PIXELS } from './dataset';
import { encodeNpy, splitToNpy } from './npy';

const PYTHON = '/usr/bin/python3';
const numpyAvailable = fs.existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy']);
    return true;
  } catch {
    return false;
  }
})();
if (!numpyAvailable) console.warn('/usr/bin/python3 with numpy not found: the numpy read-back test is skipped');

describe('encodeNpy', () => {
  it('writes a 64-byte-aligned version 1.0 header and the raw little-endian data', () => {
    const bytes = encodeNpy('<f4', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(Array.from(new Float32Array(bytes.slice(10 + headerLength).buffer))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => encodeNpy('|u1', [4], new Uint8Array(3))).toThrow(RangeError);
  });

  (numpyAvailable ? it : it.skip)('is read back by numpy with the same shapes and values', () => {
    const data = {
      split: 'test' as const,
      count: 3,
      images: Uint8Array.from({ length: 3 * IMAGE_PIXELS }, (_, i) => (i * 7) % 256),
      labels: Uint8Array.from([9, 0, 4]),
    };
    const { images, labels } = splitToNpy(data, 1, 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-npy-'));
    try {
      fs.writeFileSync(path.join(dir, 'x.npy'), images);
      fs.writeFileSync(path.join(dir, 'y.npy'), labels);
      const script = `import numpy as np, json; x = np.load('${dir}/x.npy'); y = np.load('${dir}/y.npy'); print(json.dumps([list(x.shape), str(x.dtype), float(x[0,0,1,0]), float(x[1,27,27,0]), y.tolist(), str(y.dtype)]))`;
      const [shape, dtype, a, b, y, ydtype] = JSON.parse(execFileSync(PYTHON, ['-c', script]).toString());
      expect(shape).toEqual([2, 28, 28, 1]);
      expect(dtype).toBe('float32');
      expect(a).toBeCloseTo(((IMAGE_PIXELS + 1) * 7 % 256) / 255, 6);
      expect(b).toBeCloseTo(((3 * IMAGE_PIXELS - 1) * 7 % 256) / 255, 6);
      expect(y).toEqual([0, 4]);
      expect(ydtype).toBe('uint8');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
