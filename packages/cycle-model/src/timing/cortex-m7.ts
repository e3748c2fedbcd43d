import { Instruction, InstructionKind } from '../instruction';
import { STALL_CAUSES, TimingModel, zeroCost } from './model';

/**
 * A SIMPLIFIED Cortex-M7 model. Arm's Cortex-M7 Technical Reference Manual (ARM DDI 0489) gives no instruction
 * timing table; it documents an in-order, dual-issue (superscalar) six-stage pipeline with two ALUs, one MAC pipe,
 * a load/store unit with two 32-bit (64-bit combined) data paths that can dual-issue "load/load and load/store
 * pairs", and a branch target address cache. What this model takes from that, plus stated assumptions:
 * - Two consecutive instructions of a block issue in the same cycle when the second reads and writes no register the
 *   first writes, they are not two stores, not two multiplies, not two FPU operations, the second is not a
 *   multiply/DSP instruction, and neither is a multi-cycle, IT or system instruction (the first may not be a branch).
 * - Results: loads and multiplies are available two cycles after issue (one interlock cycle for a consumer that
 *   issues right after), everything else the next cycle.
 * - LDM/STM/PUSH/POP and VLDM/VSTM move two words per cycle; LDRD/STRD one cycle; SDIV/UDIV 12; VDIV/VSQRT 14.
 * - Every branch is predicted correctly (no refill): the estimate is optimistic for code with unpredictable
 *   branches. Blocks are scheduled independently (no pairing across a branch).
 */

const NO_PAIR = new Set<InstructionKind>([
  'load-double', 'store-double', 'load-multiple', 'store-multiple', 'fp-load-multiple', 'fp-store-multiple', 'divide',
  'fp-divide', 'fp-move-pair', 'if-then', 'system', 'table-branch', 'unknown',
]);
const BRANCHES = new Set<InstructionKind>(['branch', 'call', 'branch-register', 'table-branch']);
const MULTIPLY = new Set<InstructionKind>(['multiply', 'multiply-long']);
const STORES = new Set<InstructionKind>(['store', 'fp-store']);
const FP = new Set<InstructionKind>(['fp', 'fp-multiply-accumulate', 'fp-load', 'fp-store']);
const SLOW_RESULT = new Set<InstructionKind>(['load', 'fp-load', 'load-double', 'load-multiple', 'fp-load-multiple', 'multiply', 'multiply-long']);

/** Cycles an instruction holds the issue stage, and the stall cause of the cycles beyond one. */
function occupancy(i: Instruction): { cycles: number; cause: 'memory' | 'divide' | 'float' } {
  switch (i.kind) {
    case 'load-multiple':
    case 'store-multiple':
    case 'fp-load-multiple':
    case 'fp-store-multiple':
      return { cycles: Math.ceil(i.transfers / 2), cause: 'memory' };
    case 'divide':
      return { cycles: 12, cause: 'divide' };
    case 'fp-divide':
      return { cycles: 14, cause: 'float' };
    default:
      return { cycles: 1, cause: 'memory' };
  }
}

function pairs(first: Instruction, second: Instruction): boolean {
  if (NO_PAIR.has(first.kind) || NO_PAIR.has(second.kind) || BRANCHES.has(first.kind)) return false;
  if (MULTIPLY.has(second.kind)) return false;
  if (STORES.has(first.kind) && STORES.has(second.kind)) return false;
  if (FP.has(first.kind) && FP.has(second.kind)) return false;
  return !second.reads.some((r) => first.writes.includes(r)) && !second.writes.some((r) => first.writes.includes(r));
}

export const cortexM7: TimingModel = {
  core: 'cortex-m7',
  blockCost(block) {
    const c = zeroCost();
    const ready = new Map<number, number>();
    let cycle = 0; // issue cycle of the latest group
    let held = 0; // cycles the latest issued instruction holds issue
    let previous: Instruction | undefined;
    let pairedWithPrevious = false;
    for (const i of block) {
      const occ = occupancy(i);
      const operandsReady = Math.max(0, ...[...i.reads, ...i.addressRegs].map((r) => ready.get(r) ?? 0));
      let issue: number;
      if (previous !== undefined && !pairedWithPrevious && held === 1 && operandsReady <= cycle && pairs(previous, i)) {
        issue = cycle;
        pairedWithPrevious = true;
        c.stalls['dual-issue'] -= 1;
      } else {
        const inOrder = cycle + held;
        issue = Math.max(inOrder, operandsReady);
        c.stalls.interlock += issue - inOrder;
        c.stalls[occ.cause] += occ.cycles - 1;
        pairedWithPrevious = false;
        cycle = issue;
        held = occ.cycles;
      }
      const latency = SLOW_RESULT.has(i.kind) ? 2 : 1;
      for (const r of i.writes) ready.set(r, issue + Math.max(latency, occ.cycles));
      previous = i;
    }
    c.cycles = block.length + STALL_CAUSES.reduce((s, k) => s + c.stalls[k], 0);
    return c;
  },
  entryDelta() {
    return zeroCost();
  },
};
