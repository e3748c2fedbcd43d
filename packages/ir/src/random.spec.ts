import * as fs from 'fs';
import * as path from 'path';
import { goldStyleInt8, mulberry32, seededUniform } from './random';

describe('mulberry32', () => {
  it('seededUniform is the same stream scaled into [0, 1)', () => {
    const ints = mulberry32(42);
    const floats = seededUniform(42);
    for (let i = 0; i < 1000; i++) {
      const f = floats();
      expect(f).toBe(ints() / 4294967296);
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(mulberry32(7)()).not.toBe(mulberry32(8)());
  });

  const gold = path.resolve(__dirname, '../../../../shared/gold/kws_dscnn_int8');
  (fs.existsSync(gold) ? it : it.skip)('regenerates the gold inputs byte for byte (seed 1000 + k)', () => {
    for (let k = 0; k < 4; k++) {
      const want = fs.readFileSync(path.join(gold, `input_${k}.bin`));
      expect(Buffer.from(goldStyleInt8(1000 + k, want.length)).equals(want)).toBe(true);
    }
  });
});
