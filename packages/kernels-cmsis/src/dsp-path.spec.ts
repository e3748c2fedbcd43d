/**
 * The Armv7E-M / Armv8-M DSP path (SXTB16/SMLAD) and the Helium path (GEMM, depthwise) against plain C: the same
 * seeded self-test (test/qemu/tfg_selftest.c) runs on the host (plain C, gcc) and on emulated Cortex-M4, M7, M33
 * and M55 (arm-none-eabi-gcc, QEMU, all four runs side by side); every output hash must match.
 */
import { CORTEX_M33, CORTEX_M4, CORTEX_M55, CORTEX_M7 } from './testing/model-program';
import { canRunSelfTests, selfTestSource, SelfTestSession, SelfTestTarget } from './testing/selftest';

const DSP = [/\bsxtb16\b/, /\bsmlad\b/];

/*
 * Cortex-M55: the Helium loops are what the assembly says, and stay so: the convolution GEMM's channel loop and the
 * fully connected dot products are tail-predicated DLSTP/LETP loops of VLDRB + VMLADAVA (binutils spells VMLADAVA
 * as its alias vmlava) with no VPST and no P0 traffic (VMSR/VMRS) inside; the 3x3 depthwise routine multiplies int16
 * lanes (VMULLB/VMULLT) in a low-overhead loop. The selftest's cases run each of them (its dw3x3 cases take the 3x3
 * routine, odd-numbered conv and fc cases the folded bias; its dwplane cases take the M4 depthwise plane path).
 */
const NO_PREDICATE_TRAFFIC = [/\bvpst\b/, /\bvmsr\b/, /\bvmrs\b/];
const HELIUM: SelfTestTarget = {
  cortex: CORTEX_M55,
  mustContain: [/\bvml(?:ad)?ava\.s8\b/],
  functions: [
    { symbol: 'mve_rows_right', contains: [/\bdlstp\.8\b/, /\bletp\b/, /\bvml(?:ad)?ava\.s8\b/, /\bvstrb\.32\b/], excludes: NO_PREDICATE_TRAFFIC },
    { symbol: 'mve_rows_any', contains: [/\bdlstp\.8\b/, /\bletp\b/, /\bvshl\.s32\b/], excludes: NO_PREDICATE_TRAFFIC },
    { symbol: 'mve_dot4', contains: [/\bdlstp\.8\b/, /\bletp\b/, /\bvml(?:ad)?ava\.s8\b/], excludes: NO_PREDICATE_TRAFFIC },
    { symbol: 'dw3x3_run_mve', contains: [/\bvmullb\.s16\b/, /\bvmullt\.s16\b/, /\ble\b/, /\bvmovnt\.i32\b/], excludes: NO_PREDICATE_TRAFFIC },
  ],
};
/*
 * Cortex-M4: the fully connected routines for interleaved filters (fc-interleave.ts) are what their assembly says:
 * per 4 depth values one LDM of 4 rows' weight words and SXTB16/SMLAD, the input as LDRD of widened pairs or LDR and
 * SXTB16 ... ROR #8 of the int8 input. The selftest's cases keep row-major filters; interleaved.spec.ts runs these
 * routines against the interpreter.
 */
const FC_GROUPS = [/\bldmia(?:\.w)?\s+r1!, \{r8, r9, sl, fp\}/, /\bsxtb16\s+r8, r8, ror #8\b/, /\bsmlad\b/, /\bsmlal\b/];
const M4: SelfTestTarget = {
  cortex: CORTEX_M4,
  mustContain: DSP,
  functions: [
    { symbol: 'fc_groups_widened', contains: [...FC_GROUPS, /\bldrd\s+r2, r3, \[r0\], #8\b/] },
    { symbol: 'fc_groups_int8', contains: [...FC_GROUPS, /\bsxtb16\s+r3, r3, ror #8\b/], excludes: [/\bldrd\s+r2, r3, \[r0\], #8\b/] },
  ],
};
const TARGETS: SelfTestTarget[] = [
  M4,
  { cortex: CORTEX_M7, mustContain: DSP },
  { cortex: CORTEX_M33, mustContain: DSP },
  HELIUM,
];

const d = canRunSelfTests('kernels-cmsis DSP-path tests') ? describe : describe.skip;

d('DSP path bit-exact with plain C', () => {
  const session = new SelfTestSession(selfTestSource('tfg_selftest.c'), TARGETS);
  beforeAll(() => session.start(), 60_000);
  afterAll(() => session.close());

  test('host run covers every case and every kernel returned TFG_OK', () => {
    const lines = session.hostLines;
    expect(lines).toHaveLength(197);
    expect(lines[lines.length - 1]).toBe('done');
    expect(lines.filter((l) => / o [0-9a-f]{8}$/.test(l))).toHaveLength(196);
    // Distinct hashes: the cases really produce different outputs.
    expect(new Set(lines.map((l) => l.slice(-8))).size).toBeGreaterThan(185);
  });

  // Hang guard only: the four builds and runs start together in beforeAll, and the first target's wait begins first
  // (on a machine shared by many jobs, 180 s were not enough for the M4 build and run).
  test.each(TARGETS)('$cortex.name output equals the host', async (target) => {
    expect(await session.targetLines(target)).toEqual(session.hostLines);
  }, 480_000);
});
