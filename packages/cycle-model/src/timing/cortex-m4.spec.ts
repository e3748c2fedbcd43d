import { decodeInstruction } from '../instruction';
import { cortexM4 } from './cortex-m4';

/** Straight-line code (addresses 4 apart, all 32-bit) from `mnemonic operands` lines. */
const code = (...lines: string[]) =>
  lines.map((l, k) => {
    const [m, ...rest] = l.split(' ');
    return decodeInstruction(0x100 + 4 * k, 4, m, rest.join(' '));
  });
const cycles = (...lines: string[]) => cortexM4.blockCost(code(...lines), { taken: false }).cycles;

describe('Cortex-M4 model against the TRM (§3.3.2 load/store timings, Table 3-1)', () => {
  it("reproduces the TRM's pipelined load examples", () => {
    expect(cycles('ldr r0, [r1]', 'ldr r1, [r2]')).toBe(3);
    expect(cycles('ldr r0, [r1, r2]', 'str r0, [r3, #20]')).toBe(3);
    expect(cycles('ldr r0, [r1, r2]', 'str r1, [r3, r2]')).toBe(3);
    expect(cycles('ldr r0, [r1, r5]', 'ldr r1, [r2]', 'ldr r2, [r3, #4]')).toBe(4);
  });

  it('does not pipeline a load whose address is the previous load result, nor anything after a store or LDM', () => {
    expect(cycles('ldr r0, [r0]', 'ldr r0, [r0]')).toBe(4);
    expect(cycles('str r0, [r1, r2]', 'ldr r3, [r4]')).toBe(4);
    expect(cycles('ldm r0!, {r1, r2, r3}', 'ldr r4, [r5]')).toBe(6);
  });

  it('adds a cycle to a load whose address the previous data-processing instruction wrote', () => {
    expect(cycles('adds r3, r3, #4', 'ldr r1, [r3]')).toBe(4);
    expect(cycles('adds r2, r2, #4', 'ldr r1, [r3]')).toBe(3);
  });

  it('charges LDRD/STRD 3, LDM/STM 1+N, SDIV 12, VMLA 3, VDIV 14, single-cycle MACs 1', () => {
    expect(cycles('ldrd r0, r1, [r2]')).toBe(3);
    expect(cycles('stm r0!, {r1, r2, r3, r4}')).toBe(5);
    expect(cycles('sdiv r0, r1, r2')).toBe(12);
    expect(cycles('vmla.f32 s0, s1, s2')).toBe(3);
    expect(cycles('vdiv.f32 s0, s1, s2')).toBe(14);
    expect(cycles('smlad r0, r1, r2, r0', 'smlal r0, r1, r2, r3', 'mla r0, r1, r2, r3')).toBe(3);
  });

  it('charges taken branches 1 + P: P = 1 direct, 2 register, 3 loads into PC, +1 into an unaligned 32-bit target', () => {
    const [b] = code('b #0x200');
    const aligned = decodeInstruction(0x200, 4, 'ldr.w', 'r0, [r1]');
    const unaligned = decodeInstruction(0x202, 4, 'ldr.w', 'r0, [r1]');
    expect(cortexM4.blockCost([b], { taken: true, next: aligned }).cycles).toBe(2);
    expect(cortexM4.blockCost([b], { taken: true, next: unaligned }).cycles).toBe(3);
    expect(cortexM4.blockCost(code('bne #0x200'), { taken: false }).cycles).toBe(1);
    expect(cortexM4.blockCost(code('bx lr'), { taken: true }).cycles).toBe(3);
    expect(cortexM4.blockCost(code('pop {r4, r5, pc}'), { taken: true }).cycles).toBe(7);
    expect(cortexM4.blockCost(code('ldr pc, [sp], #4'), { taken: true }).cycles).toBe(5);
    expect(cortexM4.blockCost(code('tbb [pc, r0]'), { taken: true }).cycles).toBe(6);
  });
});
