import { FusedActivation } from './ops/op-def';
import { DefaultedAttrs, OP_DEFS, opDef, OpAttrMap, OpType, WeightedOpType } from './ops/registry';

/**
 * Operators: nodes and the views of the operator table (ops/registry.ts, one definition per op in ops/*.ts) that
 * other packages use. Every fact about an op — arity, attributes, dtypes, shape, cost, whether it is a view — is
 * read from that one table.
 */
export type { ExplicitPadding, FusedActivation, Padding } from './ops/op-def';
export type { ConvAttrs, DepthwiseConvAttrs, TransposeConvAttrs } from './ops/conv';
export { convGroups, transposeConvPadding } from './ops/conv';
export type { PoolAttrs } from './ops/pool';
export type { GruAttrs, LstmAttrs } from './ops/recurrent';
export { GRU_INPUT, LSTM_INPUT, SVDF_INPUT } from './ops/recurrent';
export type { NoiseEstimateAttrs } from './ops/signal';
export { SIGNAL_FILTER_BANK_INPUT } from './ops/signal';
export type { OpAttrMap, OpType, DefaultedAttrs, WeightedOpType } from './ops/registry';
export { OP_DEFS, opDef };
export type { OpDef } from './ops/op-def';

export const OP_TYPES: readonly OpType[] = Object.keys(OP_DEFS) as OpType[];

export function isOpType(s: string): s is OpType {
  return Object.prototype.hasOwnProperty.call(OP_DEFS, s);
}

export interface NodeOf<K extends OpType> {
  /** Unique within the graph; from the model where it has one, else derived from the first output's name. */
  name: string;
  op: K;
  attrs: OpAttrMap[K];
  /** Tensor indices; -1 marks an omitted optional input (e.g. no bias). */
  inputs: number[];
  outputs: number[];
}

export type Node = { [K in OpType]: NodeOf<K> }[OpType];

/** Narrow a node to one op type. */
export function isOp<K extends OpType>(node: Node, op: K): node is Node & NodeOf<K> {
  return node.op === op;
}

/** How many inputs each op takes: [min, max]. */
export const OP_ARITY: Readonly<Record<OpType, readonly [number, number]>> = Object.fromEntries(
  OP_TYPES.map((op) => [op, OP_DEFS[op].arity]),
) as Record<OpType, readonly [number, number]>;

/** Ops whose output is the input reinterpreted (no data movement): planners may alias them. */
export const VIEW_OPS: ReadonlySet<OpType> = new Set<OpType>(OP_TYPES.filter((op) => opFlag(op, 'view')));

/** Whether an op works element by element (see OpDef.elementwise). */
export function isElementwise(op: OpType): boolean {
  return opFlag(op, 'elementwise');
}

function opFlag(op: OpType, flag: 'view' | 'fusableActivation' | 'elementwise'): boolean {
  return opDef(op)[flag] === true;
}

/** A conv / depthwise / fully-connected node: a weighted layer (see OpDef.weights). */
export type WeightedNode = { [K in WeightedOpType]: NodeOf<K> }[WeightedOpType];

export function isWeighted(node: Node): node is WeightedNode {
  return opDef(node.op).weights !== undefined;
}

/** The axis of a weighted layer's weight tensor that holds its output channels. */
export function weightChannelAxis(node: WeightedNode): number {
  return opDef(node.op).weights!.channelAxis;
}

/** Whether a standalone clamp after this op may be folded into its fused activation (see OpDef.fusableActivation). */
export function acceptsFusedActivation(op: OpType): boolean {
  return opFlag(op, 'fusableActivation');
}

/** The fused activation a standalone clamp node (Relu, Relu6, some Clips) equals, if any. */
export function fusedActivationOf(node: Node): FusedActivation | undefined {
  const def = OP_DEFS[node.op] as { asFusedActivation?: (attrs: Node['attrs']) => FusedActivation | undefined };
  return def.asFusedActivation?.(node.attrs);
}

/**
 * A stage's table of per-op handlers (a writer's, an exporter's, a pass's), each handler receiving its node
 * narrowed to its op. `Partial<NodeTable<…>>` for a stage that handles some ops.
 */
export type NodeTable<R, Args extends unknown[] = []> = { [K in OpType]: (node: NodeOf<K>, ...args: Args) => R };

/** The table's handler for this node's op, typed for any node (undefined when the table has none). */
export function handlerFor<R, Args extends unknown[]>(table: Partial<NodeTable<R, Args>>, node: Node): ((node: Node, ...args: Args) => R) | undefined {
  return table[node.op] as ((node: Node, ...args: Args) => R) | undefined;
}

/** An op's attributes where those with an IR default may be left out. */
export type AttrsInput<K extends OpType> = Omit<OpAttrMap[K], DefaultedAttrs<K>> & Partial<Pick<OpAttrMap[K], Extract<DefaultedAttrs<K>, keyof OpAttrMap[K]>>>;

/** The full attribute record: `attrs` with each left-out attribute set to its IR default. */
export function withDefaultAttrs<K extends OpType>(op: K, attrs: AttrsInput<K>): OpAttrMap[K] {
  const full: Record<string, unknown> = { ...attrs };
  for (const [name, spec] of Object.entries(opDef(op).attrs as Record<string, { default?: unknown }>)) {
    if (full[name] === undefined && spec.default !== undefined) full[name] = structuredClone(spec.default);
  }
  return full as OpAttrMap[K];
}

/** TFLite Micro's Signal library ops (the audio front end), which share their op type's prefix. */
export const SIGNAL_OPS: readonly OpType[] = (Object.keys(OP_DEFS) as OpType[]).filter((op) => op.startsWith('Signal'));
