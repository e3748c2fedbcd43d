/**
 * Convolutions streamed in place, as generated models run them (test/qemu/tfg_selftest_in_place.c): 1x1 and 3x3
 * convolutions and 3x3 depthwise with the output starting just below the input (the row-stream rule's least
 * displacement plus slack). On the host (plain C) and on emulated Cortex-M4 (DSP path: the pixel-pair GEMM, the
 * depthwise assembly runs) and Cortex-M55 (Helium: the staged four-pixel GEMM), every case's in-place output must
 * equal its separate-buffer output, and the Cortex-M lines must equal the host's. Odd-numbered cases fold the bias.
 */
import { CORTEX_M4, CORTEX_M55 } from '../testing/model-program';
import { canRunSelfTests, selfTestSource, SelfTestSession, SelfTestTarget } from '../testing/selftest';

const TARGETS: SelfTestTarget[] = [
  { cortex: CORTEX_M4, mustContain: [/<pair_dot_all>:/, /<dw_run_3_wide>:/, /<depthwise_long_axis_dsp(?:\.[a-z]+\.\d+)?>:/] },
  // Helium: 1x1 and 3x3 convolutions stage four pixels before writing them, in one call (no per-row restarts).
  { cortex: CORTEX_M55, mustContain: [/<mve_rows_(?:right|any)>:/] },
];

const d = canRunSelfTests('in-place convolution tests') ? describe : describe.skip;

d('convolutions streamed in place', () => {
  const session = new SelfTestSession(selfTestSource('tfg_selftest_in_place.c'), TARGETS);
  beforeAll(() => session.start(), 60_000);
  afterAll(() => session.close());

  test('host (plain C): every case ran and matched its separate-buffer run', () => {
    const lines = session.hostLines;
    expect(lines).toHaveLength(121);
    expect(lines[120]).toBe('done');
    const cases = lines.slice(0, 120);
    expect(cases.filter((l) => / o [0-9a-f]{8} =$/.test(l))).toHaveLength(120);
    expect(new Set(cases.map((l) => l.slice(-10, -2))).size).toBeGreaterThan(108);
  });

  test.each(TARGETS)('$cortex.name prints the host lines', async (target) => {
    expect(await session.targetLines(target)).toEqual(session.hostLines);
  }, 180_000);
});
