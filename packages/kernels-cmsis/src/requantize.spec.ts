/**
 * The one-SMLAL requantization (tfg_nn_requantize's fast form, used by every kernel's hot path) against a literal
 * transcription of TFLite's MultiplyByQuantizedMultiplier on 4 M seeded random and edge-case operands
 * (test/host/tfg_requant_check.c), with every shift from -31 to 8.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { kernelIncludeDir } from './index';
import { hasCompiler, STRICT_C_FLAGS } from './testing';

const CHECK = path.resolve(__dirname, '../test/host/tfg_requant_check.c');
const available = hasCompiler('gcc');
if (!available) console.warn('kernels-cmsis requantization check skipped: needs gcc');
const d = available ? describe : describe.skip;

d('requantization', () => {
  test('one-SMLAL form equals TFLite double rounding on 4 M operands', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-requant-'));
    try {
      const exe = path.join(work, 'requant_check');
      const cc = spawnSync('gcc', [...STRICT_C_FLAGS, '-O2', `-I${kernelIncludeDir}`, CHECK, '-o', exe], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      const run = spawnSync(exe, [], { encoding: 'utf8' });
      expect(run.stdout.trim()).toBe('cases 4000000 mismatches 0');
      expect(run.status).toBe(0);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 30_000);
});
