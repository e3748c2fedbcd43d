/**
 * Fully connected, max/average pooling and element-wise add on emulated Cortex-M against plain C on the host:
 * test/qemu/tfg_selftest_fc_pool_add.c (seeded edge cases: depths around multiples of 8, odd channel counts,
 * unaligned weight rows, no bias, offsets at the ends of their ranges, average pools at the int16-lane limit) runs
 * on both; every line must match.
 * Plain C itself is checked against the reference interpreter by the property tests.
 */
import { CORTEX_M4, CORTEX_M55 } from '../testing/model-program';
import { canRunSelfTests, selfTestSource, SelfTestSession, SelfTestTarget } from '../testing/selftest';

const TARGETS: SelfTestTarget[] = [
  // Cortex-M4: the DSP paths; the image must hold the FC's SXTB16/SMLAD blocks (both weight-load variants).
  { cortex: CORTEX_M4, mustContain: [/<dot_2rows_aligned>:/, /<dot_2rows_any>:/] },
  // Cortex-M55: fully connected takes the Helium GEMM; the small kernels their DSP paths.
  { cortex: CORTEX_M55, mustContain: [/\bvml(?:ad)?ava\.s8\b/] },
];

const d = canRunSelfTests('kernels-cmsis FC/pool/add DSP tests') ? describe : describe.skip;

d('fully connected, pooling, add: Cortex-M paths bit-exact with plain C', () => {
  const session = new SelfTestSession(selfTestSource('tfg_selftest_fc_pool_add.c'), TARGETS);
  beforeAll(() => session.start(), 60_000);
  afterAll(() => session.close());

  test('host run covers every case, every kernel returned TFG_OK, outputs differ', () => {
    const lines = session.hostLines;
    expect(lines).toHaveLength(203);
    expect(lines[lines.length - 1]).toBe('done');
    const ok = lines.filter((l) => /^(fc|maxpool|avgpool|avgpool-edge|add) \d{3} o [0-9a-f]{8}$/.test(l));
    const skipped = lines.filter((l) => l.startsWith('fc-skip'));
    expect(ok.length + skipped.length).toBe(202);
    expect(skipped.length).toBeLessThan(5);
    expect(new Set(ok.map((l) => l.slice(-8))).size).toBe(ok.length);
  });

  test.each(TARGETS)('$cortex.name prints the same lines as the host', async (target) => {
    expect(await session.targetLines(target)).toEqual(session.hostLines);
  }, 180_000);
});
