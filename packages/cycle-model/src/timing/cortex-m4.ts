import { Instruction, InstructionKind, PC } from '../instruction';
import { addCost, BlockExit, Cost, isUnalignedWide, overlaps, StallCause, TimingModel, zeroCost } from './model';

/**
 * Cortex-M4 (with FPv4-SP) instruction timings, from the Cortex-M4 Technical Reference Manual (ARM DDI 0439):
 * §3.3.1 "Table of processor instructions" (cycle counts, zero wait states), §3.3.2 "Load/store timings" (load
 * pipelining, address generation, multiple transfers) and §7.2.2 "FPU instruction set" (FPU cycle counts). Where
 * the manual gives a range the model makes one stated choice; the package README lists them.
 */

/** Pipeline refill P: 1 after a direct branch (target known at decode), 2 after a register branch, 3 after a load into PC. */
const REFILL_DIRECT = 1;
const REFILL_REGISTER = 2;
const REFILL_LOAD_PC = 3;
/** SDIV/UDIV take 2 to 12 cycles by the operands' leading bits, which a trace without values cannot know: the upper bound. */
export const M4_DIVIDE_CYCLES = 12;

const SINGLE_LOAD = new Set<InstructionKind>(['load', 'fp-load']);
const SINGLE_ACCESS = new Set<InstructionKind>(['load', 'fp-load', 'store', 'fp-store']);
const MEMORY = new Set<InstructionKind>([
  'load', 'fp-load', 'store', 'fp-store', 'load-double', 'store-double', 'load-multiple', 'store-multiple',
  'fp-load-multiple', 'fp-store-multiple', 'table-branch',
]);
/** Instructions whose result comes from the ALU/multiplier (the TRM's "data processing operation"). */
const DATA_PROCESSING = new Set<InstructionKind>(['alu', 'multiply', 'multiply-long', 'divide']);

function cost(cycles: number, cause?: StallCause, extra = cycles - 1): Cost {
  const c = zeroCost();
  c.cycles = cycles;
  if (cause !== undefined && extra !== 0) c.stalls[cause] += extra;
  return c;
}

/** P for a taken branch of this kind, one cycle longer into a 32-bit instruction at a halfword address (at most 3). */
function refill(base: number, target: Instruction | undefined): number {
  return Math.min(REFILL_LOAD_PC, base + (isUnalignedWide(target) ? 1 : 0));
}

/** Cycles of `i` on its own (no overlap with the instruction before it). */
function alone(i: Instruction, exit: BlockExit | undefined): Cost {
  const next = exit?.next;
  switch (i.kind) {
    case 'divide':
      return cost(M4_DIVIDE_CYCLES, 'divide');
    case 'fp-multiply-accumulate':
      return cost(3, 'float');
    case 'fp-divide':
      return cost(14, 'float');
    case 'fp-move-pair':
      return cost(2, 'float');
    case 'load':
    case 'fp-load':
      if (i.loaded.includes(PC)) return withRefill(cost(2, 'memory'), refill(REFILL_LOAD_PC, next));
      return cost(2, 'memory');
    case 'store':
      // STR Rt,[Rn,#imm] is one cycle (the data phase overlaps the next instruction); a register offset takes two.
      return i.registerOffset ? cost(2, 'memory') : cost(1);
    case 'fp-store':
      return cost(2, 'memory');
    case 'load-double':
    case 'store-double':
      return cost(3, 'memory');
    case 'load-multiple':
    case 'store-multiple':
    case 'fp-load-multiple':
    case 'fp-store-multiple': {
      const c = cost(1 + i.transfers, 'memory');
      return i.loaded.includes(PC) ? withRefill(c, refill(REFILL_LOAD_PC, next)) : c;
    }
    case 'branch':
      return exit?.taken ? withRefill(cost(1), refill(REFILL_DIRECT, next)) : cost(1);
    case 'call':
      return withRefill(cost(1), refill(REFILL_DIRECT, next));
    case 'branch-register':
      return exit === undefined || exit.taken ? withRefill(cost(1), refill(REFILL_REGISTER, next)) : cost(1);
    case 'table-branch': {
      // "At least six cycles: two for the load, one for the add, three for the pipeline reload."
      const c = cost(6);
      c.stalls.memory = 1;
      c.stalls.branch = 4;
      return c;
    }
    default:
      return cost(1);
  }
}

function withRefill(c: Cost, p: number): Cost {
  c.cycles += p;
  c.stalls.branch += p;
  return c;
}

/** The change to `i`'s cost when `previous` issued directly before it. */
function pairing(previous: Instruction, i: Instruction): Cost {
  const d = zeroCost();
  // "LDR [any] are pipelined when possible": a load or store right after a single load, whose address does not use
  // the loaded register, loses one cycle (STR with an immediate offset is one cycle anyway).
  if (SINGLE_ACCESS.has(i.kind) && SINGLE_LOAD.has(previous.kind) && !overlaps(previous.loaded, i.addressRegs)) {
    if (alone(i, undefined).cycles > 1) {
      d.cycles -= 1;
      d.stalls.memory -= 1;
    }
  }
  // "Any load or store that generates an address dependent on the result of a preceding data processing operation
  // stalls the pipeline for an additional cycle while the register bank is updated."
  if (MEMORY.has(i.kind) && DATA_PROCESSING.has(previous.kind) && overlaps(previous.writes, i.addressRegs.filter((r) => r !== PC))) {
    d.cycles += 1;
    d.stalls['address-dependency'] += 1;
  }
  return d;
}

export const cortexM4: TimingModel = {
  core: 'cortex-m4',
  blockCost(block, exit) {
    const total = zeroCost();
    block.forEach((i, k) => {
      const last = k === block.length - 1;
      addCost(total, alone(i, last ? exit : undefined));
      if (k > 0) addCost(total, pairing(block[k - 1], i));
    });
    return total;
  },
  entryDelta(previous, block) {
    return block.length > 0 ? pairing(previous, block[0]) : zeroCost();
  },
};
