import type { InPlaceRule } from '@tinyforge/kernels-cmsis';

/**
 * The memory-planning problem and its solution. A step is a position in the execution order; a buffer is live
 * over the closed interval [first, last] of steps. Graph inputs are live from step 0 and graph outputs until the
 * last step, because the generated code copies them in before the first layer and out after the last.
 */
export type BufferKind = 'input' | 'output' | 'activation' | 'scratch';

export interface PlanBuffer {
  /** Index into PlanProblem.buffers. */
  id: number;
  name: string;
  kind: BufferKind;
  /** Bytes the buffer holds (not rounded to the alignment). */
  size: number;
  first: number;
  last: number;
  /** Graph tensor index (activations, inputs, outputs). */
  tensor?: number;
  /** Node index (scratch buffers) in the graph's node list. */
  node?: number;
}

/** How an output may share memory with an input of the same node: each kernel family states it (kernels-cmsis). */
export type { InPlaceRule };

/** One input/output pair that may overlap at `step`; displacement = offset(input) − offset(output). */
export interface InPlacePair {
  input: number;
  output: number;
  step: number;
  rule: InPlaceRule;
}

export interface PlanProblem {
  buffers: PlanBuffer[];
  /** Steps in the execution order (= number of nodes). */
  steps: number;
  /** Pairs the planner may (not must) overlap; views must ('same' pairs of view ops are listed in `views`). */
  candidates: InPlacePair[];
  /** View ops (RESHAPE/SQUEEZE): their output always aliases the input. */
  views: InPlacePair[];
}

export interface Placement {
  /** Byte offset per buffer id. */
  offsets: number[];
  /** Bytes from 0 to the end of the highest buffer. */
  arenaSize: number;
}

export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

export function livesOverlap(a: { first: number; last: number }, b: { first: number; last: number }): boolean {
  return a.first <= b.last && b.first <= a.last;
}
