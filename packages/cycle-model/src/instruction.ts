/**
 * One Thumb instruction as QEMU's `-d in_asm` log shows it (Capstone's disassembly):
 *   0x00000012:  f04f 0018  mov.w    r0, #0x18
 * decoded into what the timing models need: its class, the registers it reads, writes and addresses memory with,
 * how many words a multiple transfer moves, and where a direct branch goes.
 */

export type InstructionKind =
  | 'alu' // data processing, moves, shifts, compares, extends, saturation, SIMD add/subtract, bit fields
  | 'multiply' // 32-bit result multiplies and multiply-accumulates, including the DSP ones (SMLAD, SMLABB, SMMLA...)
  | 'multiply-long' // 64-bit result: SMULL, UMULL, SMLAL, UMLAL, UMAAL, SMLALD, SMLSLD, SMLAL<x><y>
  | 'divide'
  | 'load' // single register: LDR, LDRB, LDRH, LDRSB, LDRSH, LDREX*, PLD
  | 'store' // single register: STR, STRB, STRH, STREX*
  | 'load-double'
  | 'store-double'
  | 'load-multiple' // LDM*, POP
  | 'store-multiple' // STM*, PUSH
  | 'branch' // B, B<cond>, CBZ, CBNZ
  | 'call' // BL
  | 'branch-register' // BX, BLX Rm, and data processing that writes PC (MOV PC, ADD PC)
  | 'table-branch' // TBB, TBH
  | 'if-then'
  | 'system' // barriers, hints, MRS/MSR, CPS, SVC, BKPT
  | 'fp' // single-cycle FPU operations: VADD, VSUB, VMUL, VNMUL, VABS, VNEG, VCMP, VCVT, VMOV, VMRS, VMSR
  | 'fp-multiply-accumulate' // VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS
  | 'fp-divide' // VDIV, VSQRT
  | 'fp-move-pair' // VMOV between two core registers and a D register (or two S registers)
  | 'fp-load' // VLDR
  | 'fp-store' // VSTR
  | 'fp-load-multiple' // VLDM, VPOP
  | 'fp-store-multiple' // VSTM, VPUSH
  | 'unknown'; // not classified: costed as one cycle and listed in the estimate

export interface Instruction {
  address: number;
  /** 2 or 4 bytes. */
  size: number;
  /** Capstone's mnemonic as logged (`ldr.w`, `smladne`, `vmla.f32`). */
  mnemonic: string;
  /** The operation without width qualifier, condition and flag-setting suffix (`ldr`, `smlad`, `vmla`). */
  base: string;
  kind: InstructionKind;
  /** Registers read (0–15 core, 32–63 S0–S31; D and Q registers as their S registers). */
  reads: number[];
  /** Registers written, loaded values and base write-back alike. */
  writes: number[];
  /** For loads: the registers the loaded data goes to (not the written-back base). */
  loaded: number[];
  /** For memory accesses: the registers the address is computed from. */
  addressRegs: number[];
  /** Words moved by a multiple or double transfer (registers in the list; a D register is two). */
  transfers: number;
  /** A store whose address has a register offset (`str r0, [r1, r2]`): it does not complete in one cycle. */
  registerOffset: boolean;
  /** Whether it writes the PC (a branch of any kind, a load or data processing into PC). */
  writesPc: boolean;
  /** Whether it executes conditionally (B<cond>, CBZ/CBNZ, or a condition suffix inside an IT block). */
  conditional: boolean;
  /** Target address of a direct branch. */
  target?: number;
}

export const PC = 15;
const LR = 14;
const SP = 13;

const CONDITIONS = new Set(['eq', 'ne', 'cs', 'hs', 'cc', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al']);

/** Operation name → kind. Names are UAL base mnemonics (no condition, no `s`, no `.w`, no data type). */
const KINDS = new Map<string, InstructionKind>();
function kinds(kind: InstructionKind, names: string): void {
  for (const n of names.split(/\s+/)) if (n) KINDS.set(n, kind);
}
kinds(
  'alu',
  `mov mvn movw movt add adc sub sbc rsb adr and orr eor bic orn cmp cmn tst teq lsl lsr asr ror rrx neg
   sxtb sxth uxtb uxth sxtb16 uxtb16 sxtab sxtah uxtab uxtah sxtab16 uxtab16 clz rev rev16 revsh rbit
   ssat usat ssat16 usat16 qadd qsub qdadd qdsub qadd8 qadd16 qsub8 qsub16 qasx qsax uqadd8 uqadd16 uqsub8 uqsub16
   addw subw uqasx uqsax sadd8 sadd16 ssub8 ssub16 sasx ssax uadd8 uadd16 usub8 usub16 uasx usax shadd8 shadd16 shsub8
   shsub16 shasx shsax uhadd8 uhadd16 uhsub8 uhsub16 uhasx uhsax sel pkhbt pkhtb bfc bfi sbfx ubfx usad8 nop`,
);
kinds(
  'multiply',
  `mul mla mls smulbb smulbt smultb smultt smulwb smulwt smlabb smlabt smlatb smlatt smlawb smlawt smlad smladx
   smlsd smlsdx smuad smuadx smusd smusdx smmul smmulr smmla smmlar smmls smmlsr usada8`,
);
kinds('multiply-long', 'smull umull smlal umlal umaal smlald smlaldx smlsld smlsldx smlalbb smlalbt smlaltb smlaltt');
kinds('divide', 'sdiv udiv');
kinds('load', 'ldr ldrb ldrh ldrsb ldrsh ldrt ldrbt ldrht ldrsbt ldrsht ldrex ldrexb ldrexh pld pli');
kinds('store', 'str strb strh strt strbt strht strex strexb strexh');
kinds('load-double', 'ldrd');
kinds('store-double', 'strd');
kinds('load-multiple', 'ldm ldmia ldmfd ldmdb ldmea pop');
kinds('store-multiple', 'stm stmia stmea stmdb stmfd push');
kinds('branch', 'b cbz cbnz');
kinds('call', 'bl');
kinds('branch-register', 'bx blx');
kinds('table-branch', 'tbb tbh');
kinds('if-then', 'it itt ite ittt itte itet itee itttt ittte ittet ittee itett itete iteet iteee');
kinds('system', 'dmb dsb isb wfi wfe sev yield mrs msr cpsid cpsie svc bkpt udf clrex');
kinds('fp', 'vadd vsub vmul vnmul vabs vneg vcmp vcmpe vcvt vcvtr vcvta vcvtn vcvtp vcvtm vcvtb vcvtt vmov vmrs vmsr vmaxnm vminnm vrinta vrintn vrintp vrintm vrintx vrintz vrintr vsel vseleq vselge vselgt vselvs');
kinds('fp-multiply-accumulate', 'vmla vmls vnmla vnmls vfma vfms vfnma vfnms');
kinds('fp-divide', 'vdiv vsqrt');
kinds('fp-load', 'vldr');
kinds('fp-store', 'vstr');
kinds('fp-load-multiple', 'vldm vldmia vldmdb vpop');
kinds('fp-store-multiple', 'vstm vstmia vstmdb vpush');

/** Operations whose first operand is read, not written. */
const NO_DESTINATION = new Set(['cmp', 'cmn', 'tst', 'teq', 'vcmp', 'vcmpe', 'nop', 'vmsr']);
/** Operations with one source whose two-operand form (`op rd, rm`) does not also read rd. */
const UNARY = new Set([
  'mov', 'mvn', 'movw', 'neg', 'clz', 'rev', 'rev16', 'revsh', 'rbit', 'sxtb', 'sxth', 'uxtb', 'uxth', 'sxtb16', 'uxtb16',
  'adr', 'ssat', 'usat', 'ssat16', 'usat16', 'vmov', 'vabs', 'vneg', 'vcvt', 'vsqrt', 'rrx', 'vmrs',
]);
/** Operations that read their destination too (insert into it, accumulate into it). */
const READS_DESTINATION = new Set(['movt', 'bfc', 'bfi', 'vmla', 'vmls', 'vnmla', 'vnmls', 'vfma', 'vfms', 'vfnma', 'vfnms']);

const REGISTER_NAMES: Record<string, number> = { sb: 9, sl: 10, fp: 11, ip: 12, sp: SP, lr: LR, pc: PC };

/** Registers named by one operand token (`r3`, `lr`, `s5`, `d2` → S4, S5, `q1` → S4..S7), or [] for others. */
function registersOf(token: string): number[] {
  const t = token.trim().replace(/[!^]$/, '');
  if (t in REGISTER_NAMES) return [REGISTER_NAMES[t]];
  const m = /^([rsdq])(\d+)$/.exec(t);
  if (m === null) return [];
  const n = Number(m[2]);
  if (m[1] === 'r') return n <= 15 ? [n] : [];
  if (m[1] === 's') return [32 + n];
  if (m[1] === 'd') return [32 + 2 * n, 33 + 2 * n];
  return [32 + 4 * n, 33 + 4 * n, 34 + 4 * n, 35 + 4 * n];
}

/** Every register mentioned in an operand string (inside brackets, lists and shifts too). */
function registersIn(text: string): number[] {
  const out: number[] = [];
  for (const word of text.split(/[\s,[\]{}!]+/)) {
    const range = /^([rsdq]\d+)-([rsdq]\d+)$/.exec(word);
    if (range !== null) {
      const [lo, hi] = [registersOf(range[1]), registersOf(range[2])];
      if (lo.length > 0 && hi.length > 0) for (let r = lo[0]; r <= hi[hi.length - 1]; r++) out.push(r);
    } else out.push(...registersOf(word));
  }
  return out;
}

/** Split operands on top-level commas (not inside [] or {}). */
function splitOperands(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** The operation name and whether a condition suffix was stripped: `addseq` → add, `bls` → b, `smlals` → smlal. */
function baseOf(mnemonic: string): { base: string; conditional: boolean } {
  let m = mnemonic.toLowerCase();
  const dot = m.indexOf('.');
  if (dot >= 0) m = m.slice(0, dot); // .w / .n / .f32 / .32
  if (KINDS.has(m)) return { base: m, conditional: false };
  const cond = m.length > 2 && CONDITIONS.has(m.slice(-2)) ? m.slice(0, -2) : undefined;
  if (cond !== undefined && KINDS.has(cond)) return { base: cond, conditional: true };
  if (m.endsWith('s') && KINDS.has(m.slice(0, -1))) return { base: m.slice(0, -1), conditional: false };
  if (cond !== undefined && cond.endsWith('s') && KINDS.has(cond.slice(0, -1))) return { base: cond.slice(0, -1), conditional: true };
  return { base: m, conditional: false };
}

function immediate(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const m = /^#(-?)(0x[0-9a-f]+|\d+)$/i.exec(token.trim());
  return m === null ? undefined : (m[1] ? -1 : 1) * Number(m[2]);
}

const unique = (regs: number[]): number[] => [...new Set(regs)];

/** Decode one instruction from its address, size, mnemonic and operand text. */
export function decodeInstruction(address: number, size: number, mnemonic: string, operandText: string): Instruction {
  const { base, conditional } = baseOf(mnemonic);
  let kind: InstructionKind = KINDS.get(base) ?? 'unknown';
  const ops = splitOperands(operandText.toLowerCase());
  const insn: Instruction = {
    address,
    size,
    mnemonic,
    base,
    kind,
    reads: [],
    writes: [],
    loaded: [],
    addressRegs: [],
    transfers: 1,
    registerOffset: false,
    writesPc: false,
    conditional: conditional || base === 'cbz' || base === 'cbnz',
  };
  const memoryOperand = (at: number): void => {
    const mem = ops[at] ?? '';
    insn.addressRegs = registersIn(mem);
    const inner = mem.replace(/^\[|\]!?$/g, '');
    insn.registerOffset = splitOperands(inner).length >= 2 && registersIn(splitOperands(inner)[1] ?? '').length > 0;
    const writeBack = mem.endsWith('!') || ops.length > at + 1; // pre-indexed with ! or post-indexed
    insn.reads.push(...insn.addressRegs, ...registersIn(ops.slice(at + 1).join(',')));
    if (writeBack && insn.addressRegs.length > 0) insn.writes.push(insn.addressRegs[0]);
  };

  switch (kind) {
    case 'load':
    case 'load-double':
    case 'fp-load': {
      const n = kind === 'load-double' ? 2 : 1;
      const isPld = base === 'pld' || base === 'pli';
      insn.loaded = isPld ? [] : ops.slice(0, n).flatMap(registersOf);
      insn.writes.push(...insn.loaded);
      insn.transfers = kind === 'load-double' ? 2 : 1;
      memoryOperand(isPld ? 0 : n);
      break;
    }
    case 'store':
    case 'store-double':
    case 'fp-store': {
      const exclusive = base.startsWith('strex');
      const n = kind === 'store-double' ? 2 : 1;
      const first = exclusive ? 1 : 0;
      if (exclusive) insn.writes.push(...registersOf(ops[0] ?? ''));
      insn.reads.push(...ops.slice(first, first + n).flatMap(registersOf));
      insn.transfers = n;
      memoryOperand(first + n);
      break;
    }
    case 'load-multiple':
    case 'store-multiple':
    case 'fp-load-multiple':
    case 'fp-store-multiple': {
      const stack = base === 'pop' || base === 'push' || base === 'vpop' || base === 'vpush';
      const list = registersIn(stack ? (ops[0] ?? '') : (ops[1] ?? ''));
      const baseReg = stack ? SP : (registersOf(ops[0] ?? '')[0] ?? SP);
      insn.addressRegs = [baseReg];
      insn.transfers = Math.max(1, list.length);
      insn.reads.push(baseReg);
      const writeBack = stack || (ops[0] ?? '').endsWith('!');
      if (writeBack) insn.writes.push(baseReg);
      if (kind === 'load-multiple' || kind === 'fp-load-multiple') {
        insn.loaded = list;
        insn.writes.push(...list);
      } else insn.reads.push(...list);
      break;
    }
    case 'branch':
    case 'call': {
      const targetOp = base === 'cbz' || base === 'cbnz' ? 1 : 0;
      if (targetOp === 1) insn.reads.push(...registersOf(ops[0] ?? ''));
      insn.target = immediate(ops[targetOp]);
      if (kind === 'call') insn.writes.push(LR);
      insn.writes.push(PC);
      break;
    }
    case 'branch-register':
      insn.reads.push(...registersIn(ops.join(',')));
      if (base === 'blx') {
        insn.target = immediate(ops[0]);
        if (insn.target !== undefined) kind = 'call'; // BLX #imm switches to ARM state; not on M-profile, kept as a call
        insn.writes.push(LR);
      }
      insn.writes.push(PC);
      break;
    case 'table-branch':
      insn.addressRegs = registersIn(ops[0] ?? '');
      insn.reads.push(...insn.addressRegs);
      insn.writes.push(PC);
      break;
    case 'multiply-long': {
      insn.writes.push(...ops.slice(0, 2).flatMap(registersOf));
      insn.reads.push(...registersIn(ops.slice(2).join(',')));
      if (base !== 'smull' && base !== 'umull') insn.reads.push(...insn.writes); // accumulating forms
      break;
    }
    case 'if-then':
    case 'system':
      if (base === 'mrs') insn.writes.push(...registersOf(ops[0] ?? ''));
      if (base === 'msr') insn.reads.push(...registersIn(ops.slice(1).join(',')));
      break;
    case 'fp':
    case 'fp-multiply-accumulate':
    case 'fp-divide':
    case 'alu':
    case 'multiply':
    case 'divide':
    case 'unknown': {
      if (base === 'vmov' && ops.length === 3 && registersOf(ops[0]).length + registersOf(ops[1]).length >= 2 && !ops[2].startsWith('#')) {
        kind = 'fp-move-pair'; // vmov r0, r1, d0 / vmov d0, r0, r1 / vmov s0, s1, r0, r1 (4 operands)
      }
      if (base === 'vmov' && ops.length === 4) kind = 'fp-move-pair';
      if (NO_DESTINATION.has(base) || ops.length === 0) {
        insn.reads.push(...registersIn(ops.join(',')));
      } else if (kind === 'fp-move-pair') {
        const firstIsCore = registersOf(ops[0]).some((r) => r < 32);
        const dests = ops.length === 4 ? 2 : firstIsCore ? 2 : 1;
        insn.writes.push(...ops.slice(0, dests).flatMap(registersOf));
        insn.reads.push(...registersIn(ops.slice(dests).join(',')));
      } else {
        const dest = registersOf(ops[0]);
        insn.writes.push(...dest);
        insn.reads.push(...registersIn(ops.slice(1).join(',')));
        // Two-operand forms of binary operations (`adds r1, r0`, `subs r0, #1`) read their destination too.
        if (READS_DESTINATION.has(base) || (ops.length === 2 && !UNARY.has(base) && base !== 'movw' && kind !== 'fp')) insn.reads.push(...dest);
      }
      if (insn.writes.includes(PC) && (kind === 'alu' || kind === 'unknown')) kind = 'branch-register';
      break;
    }
    default:
      break;
  }
  insn.kind = kind;
  insn.reads = unique(insn.reads);
  insn.writes = unique(insn.writes);
  insn.writesPc = insn.writes.includes(PC);
  return insn;
}

/** Parse one Capstone line of QEMU's in_asm log; undefined when the line is not an instruction line. */
export function parseInAsmLine(line: string): Instruction | undefined {
  const m = /^0x([0-9a-f]+):\s+([0-9a-f]{4}(?: [0-9a-f]{4})?)\s{2,}(\S+)\s*(.*)$/.exec(line);
  if (m === null) return undefined;
  return decodeInstruction(parseInt(m[1], 16), m[2].length === 4 ? 2 : 4, m[3], m[4]);
}
