import { decodeInstruction, parseInAsmLine } from './instruction';

const d = (line: string) => {
  const i = parseInAsmLine(line);
  if (i === undefined) throw new Error(`not an instruction line: ${line}`);
  return i;
};

describe('Capstone lines of the in_asm log', () => {
  it('reads address, size, mnemonic and operands', () => {
    const i = d('0x00000012:  f04f 0018  mov.w    r0, #0x18');
    expect(i).toMatchObject({ address: 0x12, size: 4, base: 'mov', kind: 'alu', writes: [0], reads: [] });
    expect(d('0x0000000c:  1809       adds     r1, r1, r0')).toMatchObject({ size: 2, base: 'add', writes: [1], reads: [1, 0] });
    expect(parseInAsmLine('IN: main')).toBeUndefined();
  });

  it('strips conditions and flag suffixes: bls is B<ls>, smlals is SMLAL with S, lsls is LSL', () => {
    expect(decodeInstruction(0, 2, 'bls', '#0x40')).toMatchObject({ base: 'b', kind: 'branch', conditional: true, target: 0x40 });
    expect(decodeInstruction(0, 4, 'smlals', 'r0, r1, r2, r3')).toMatchObject({ base: 'smlal', kind: 'multiply-long', writes: [0, 1] });
    expect(decodeInstruction(0, 2, 'lsls', 'r0, r4, #0x1f')).toMatchObject({ base: 'lsl', kind: 'alu', writes: [0], reads: [4] });
    expect(decodeInstruction(0, 2, 'movs', 'r0, #1')).toMatchObject({ base: 'mov', conditional: false });
    expect(decodeInstruction(0, 2, 'addeq', 'r0, r1')).toMatchObject({ base: 'add', conditional: true, reads: [1, 0] });
    expect(decodeInstruction(0, 2, 'subs', 'r0, #1')).toMatchObject({ writes: [0], reads: [0] });
  });

  it('loads and stores: loaded registers, address registers, write-back, register offsets', () => {
    expect(decodeInstruction(0, 4, 'ldr.w', 'r4, [r0], #4')).toMatchObject({ kind: 'load', loaded: [4], addressRegs: [0], writes: [4, 0] });
    expect(decodeInstruction(0, 4, 'ldr.w', 'r8, [r0, r1]')).toMatchObject({ loaded: [8], addressRegs: [0, 1], registerOffset: true });
    expect(decodeInstruction(0, 2, 'str', 'r1, [r3, #4]')).toMatchObject({ kind: 'store', reads: [1, 3], writes: [], registerOffset: false });
    expect(decodeInstruction(0, 4, 'ldrd', 'r10, fp, [lr], #8')).toMatchObject({ kind: 'load-double', loaded: [10, 11], writes: [10, 11, 14], transfers: 2 });
    expect(decodeInstruction(0, 4, 'strex', 'r0, r1, [r2]')).toMatchObject({ kind: 'store', writes: [0], reads: [1, 2] });
    expect(decodeInstruction(0, 2, 'ldr', 'r1, [pc, #8]')).toMatchObject({ addressRegs: [15], loaded: [1] });
  });

  it('multiple transfers count their registers and see PC in the list', () => {
    expect(decodeInstruction(0, 4, 'ldm.w', 'r0!, {r8, sb, sl, fp}')).toMatchObject({ kind: 'load-multiple', transfers: 4, loaded: [8, 9, 10, 11], writes: [0, 8, 9, 10, 11] });
    expect(decodeInstruction(0, 2, 'pop', '{r4, pc}')).toMatchObject({ kind: 'load-multiple', transfers: 2, writesPc: true, addressRegs: [13] });
    expect(decodeInstruction(0, 2, 'push', '{r4, lr}')).toMatchObject({ kind: 'store-multiple', transfers: 2, reads: [13, 4, 14] });
    expect(decodeInstruction(0, 4, 'vpush', '{d8, d9}')).toMatchObject({ kind: 'fp-store-multiple', transfers: 4 });
  });

  it('branches, calls, data processing into PC and FPU classes', () => {
    expect(decodeInstruction(0, 4, 'bl', '#0x3e')).toMatchObject({ kind: 'call', target: 0x3e, writes: [14, 15] });
    expect(decodeInstruction(0, 2, 'bx', 'lr')).toMatchObject({ kind: 'branch-register', reads: [14], writesPc: true });
    expect(decodeInstruction(0, 2, 'cbz', 'r3, #0x20')).toMatchObject({ kind: 'branch', conditional: true, reads: [3], target: 0x20 });
    expect(decodeInstruction(0, 2, 'mov', 'pc, r2')).toMatchObject({ kind: 'branch-register', writesPc: true });
    expect(decodeInstruction(0, 4, 'vmla.f32', 's0, s1, s2')).toMatchObject({ kind: 'fp-multiply-accumulate', reads: [33, 34, 32] });
    expect(decodeInstruction(0, 4, 'vmov', 'r0, r1, d0')).toMatchObject({ kind: 'fp-move-pair', writes: [0, 1], reads: [32, 33] });
    expect(decodeInstruction(0, 4, 'sdiv', 'r0, r1, r2')).toMatchObject({ kind: 'divide' });
    expect(decodeInstruction(0, 4, 'frobnicate', 'r0')).toMatchObject({ kind: 'unknown' });
  });
});
