/**
 * The Armv7E-M / Armv8-M DSP path (SXTB16/SMLAD) and the Helium path (GEMM, depthwise) against plain C: the same
 * seeded self-test (test/qemu/tfg_selftest.c) runs on the host (plain C, gcc) and on emulated Cortex-M4, M7, M33
 * and M55 (arm-none-eabi-gcc, QEMU, all four runs side by side); every output hash must match.
 */
import { CORTEX_M33, CORTEX_M4, CORTEX_M55, CORTEX_M7 } from './testing/model-program';
import { canRunSelfTests, selfTestSource, SelfTestSession, SelfTestTarget } from './testing/selftest';

const DSP = [/\bsxtb16\b/, /\bsmlad\b/];
const TARGETS: SelfTestTarget[] = [
  { cortex: CORTEX_M4, mustContain: DSP },
  { cortex: CORTEX_M7, mustContain: DSP },
  { cortex: CORTEX_M33, mustContain: DSP },
  // Cortex-M55: the GEMM (convolutions, fully connected) and depthwise (multiplier 1) take the Helium path
  // (binutils spells VMLADAVA as its alias vmlava).
  { cortex: CORTEX_M55, mustContain: [/\bvml(?:ad)?ava\.s8\b/, /\bvmul\.i32\b/] },
];

const d = canRunSelfTests('kernels-cmsis DSP-path tests') ? describe : describe.skip;

d('DSP path bit-exact with plain C', () => {
  const session = new SelfTestSession(selfTestSource('tfg_selftest.c'), TARGETS);
  beforeAll(() => session.start(), 60_000);
  afterAll(() => session.close());

  test('host run covers every case and every kernel returned TFG_OK', () => {
    const lines = session.hostLines;
    expect(lines).toHaveLength(131);
    expect(lines[lines.length - 1]).toBe('done');
    expect(lines.filter((l) => / o [0-9a-f]{8}$/.test(l))).toHaveLength(130);
    // Distinct hashes: the cases really produce different outputs.
    expect(new Set(lines.map((l) => l.slice(-8))).size).toBeGreaterThan(120);
  });

  test.each(TARGETS)('$cortex.name output equals the host', async (target) => {
    expect(await session.targetLines(target)).toEqual(session.hostLines);
  }, 180_000);
});
