/**
 * The 16x8 DSP paths (convolution, depthwise, fully connected, both transposed convolutions and the 16x8 LSTM's
 * gate dot products: SMLALD on int16 pairs, SMLAxy lanes), and the grouped int8 convolution's groups on the int8
 * GEMMs, on emulated Cortex-M4 and M55 against plain C on the host:
 * test/qemu/tfg_selftest_s16.c runs on all; every line must match. Plain C itself is checked against the
 * reference interpreter by the property tests (property-s16.spec.ts).
 */
import { CORTEX_M4, CORTEX_M55 } from '../testing/model-program';
import { canRunSelfTests, selfTestSource, SelfTestSession, SelfTestTarget } from '../testing/selftest';

const DSP16 = [/\bsmlald\b/, /\bsmlatb\b/, /\bsmlatt\b/];
const TARGETS: SelfTestTarget[] = [
  { cortex: CORTEX_M4, mustContain: DSP16 },
  { cortex: CORTEX_M55, mustContain: DSP16 },
];

const d = canRunSelfTests('kernels-cmsis 16x8 DSP tests') ? describe : describe.skip;

d('16x8 conv, depthwise, fully connected, LSTM, int8 and 16x8 transpose conv, grouped int8 conv: Cortex-M DSP paths bit-exact with plain C', () => {
  const session = new SelfTestSession(selfTestSource('tfg_selftest_s16.c'), TARGETS);
  beforeAll(() => session.start(), 60_000);
  afterAll(() => session.close());

  test('host run covers every case, every kernel returned TFG_OK, outputs differ', () => {
    const lines = session.hostLines;
    expect(lines).toHaveLength(281);
    expect(lines[lines.length - 1]).toBe('done');
    const ok = lines.filter((l) => /^(conv16|dw16|dw16-big|fc16|lstm16|tconv8|tconv16|grouped8) \d{3} o [0-9a-f]{8}$/.test(l));
    const skipped = lines.filter((l) => l.includes('-skip'));
    expect(ok.length + skipped.length).toBe(280);
    expect(ok.filter((l) => l.startsWith('grouped8')).length).toBe(30);
    expect(ok.filter((l) => l.startsWith('tconv')).length).toBeGreaterThan(35);
    expect(skipped.length).toBeLessThan(10);
    expect(ok.filter((l) => l.startsWith('dw16-big')).length).toBeGreaterThan(2);
    expect(new Set(ok.map((l) => l.slice(-8))).size).toBe(ok.length);
  });

  test.each(TARGETS)('$cortex.name prints the same lines as the host', async (target) => {
    expect(await session.targetLines(target)).toEqual(session.hostLines);
  }, 300_000);
});
