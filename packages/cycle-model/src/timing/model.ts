import { Instruction } from '../instruction';

/**
 * Why an instruction took more (or, dual-issued, less) than one cycle:
 * - memory: loads and stores beyond one cycle (a load not pipelined with a previous load, LDRD/STRD, LDM/STM/PUSH/POP
 *   beyond the first word, VLDR/VSTR/VLDM/VSTM);
 * - address-dependency: a load/store whose address register the previous data-processing instruction wrote;
 * - branch: pipeline refill after a taken branch, a call, a return or a load into PC;
 * - divide: SDIV/UDIV beyond one cycle;
 * - float: multi-cycle FPU operations (VMLA/VFMA, VDIV/VSQRT, VMOV of a register pair);
 * - interlock: an operand not ready yet (the Cortex-M7 model's load and multiply result latencies);
 * - dual-issue: cycles saved by issuing two instructions together (negative; Cortex-M7).
 */
export const STALL_CAUSES = ['memory', 'address-dependency', 'branch', 'divide', 'float', 'interlock', 'dual-issue'] as const;
export type StallCause = (typeof STALL_CAUSES)[number];

/** Cycles and, of them, those beyond one per instruction by cause (cycles = instructions + Σ stalls). */
export interface Cost {
  cycles: number;
  stalls: Record<StallCause, number>;
}

export function zeroCost(): Cost {
  return { cycles: 0, stalls: { memory: 0, 'address-dependency': 0, branch: 0, divide: 0, float: 0, interlock: 0, 'dual-issue': 0 } };
}

/** acc += cost × times. */
export function addCost(acc: Cost, cost: Cost, times = 1): void {
  acc.cycles += cost.cycles * times;
  for (const c of STALL_CAUSES) acc.stalls[c] += cost.stalls[c] * times;
}

/** How a block's execution ended: whether its final branch was taken, and the first instruction run after it. */
export interface BlockExit {
  taken: boolean;
  next?: Instruction;
}

export type CoreName = 'cortex-m4' | 'cortex-m7';

export interface TimingModel {
  core: CoreName;
  /**
   * One execution of a straight-line block entered after a taken branch (nothing before it overlaps with it) and
   * left as `exit` says.
   */
  blockCost(block: readonly Instruction[], exit: BlockExit): Cost;
  /** What `block` costs more (or less) when `previous` ran directly before it, falling through into it. */
  entryDelta(previous: Instruction, block: readonly Instruction[]): Cost;
}

/** A 32-bit instruction at an address that is not a multiple of 4 (a refill to it takes a cycle longer on M3/M4). */
export const isUnalignedWide = (i: Instruction | undefined): boolean => i !== undefined && i.size === 4 && (i.address & 3) !== 0;

export const overlaps = (a: readonly number[], b: readonly number[]): boolean => a.some((r) => b.includes(r));
