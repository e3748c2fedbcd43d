import { IrValidationError } from './errors';
import { Graph } from './graph';
import { Node, opDef } from './ops';
import { AttrKind, OpDef, ShapeContext } from './ops/op-def';
import { constantInts, shapeToString, Tensor } from './tensor';

export { broadcastShapes } from './ops/elementwise';
export { resolveStridedSlice } from './ops/slice';
export type { StridedSliceAttrs } from './ops/slice';

/**
 * Output shapes of one node from its input shapes (and constant operands), by its op's definition after checking
 * its attributes. Throws IrValidationError naming the node when the inputs or attributes are inconsistent.
 */
export function inferOutputShapes(graph: Graph, node: Node): number[][] {
  const fail = (msg: string, code = 'IR_SHAPE'): never => {
    throw new IrValidationError(code, `${node.op}: ${msg}`, { node: node.name });
  };
  const def = opDef(node.op) as OpDef<Node['attrs']>;
  checkAttributes(def, node.attrs, fail);
  const optional = (i: number): Tensor | undefined => {
    const idx = node.inputs[i];
    return idx === undefined || idx < 0 ? undefined : graph.tensors[idx];
  };
  const input = (i: number): Tensor => optional(i) ?? fail(`missing input ${i}`);
  const c: ShapeContext<Node['attrs']> = {
    attrs: node.attrs,
    inputCount: node.inputs.length,
    input,
    optional,
    declaredOutput: () => graph.tensors[node.outputs[0]],
    constInts(i, what) {
      const t = input(i);
      if (t.data === undefined) fail(`${what} must be a constant tensor`);
      return constantInts(t);
    },
    rank(t, r, what) {
      if (t.shape.length !== r) fail(`${what} must have rank ${r}, got ${shapeToString(t.shape)}`);
    },
    fail: (msg) => fail(msg),
  };
  return [def.inferShape(c)];
}

const ACTIVATIONS: ReadonlySet<unknown> = new Set(['none', 'relu', 'relu_n1_to_1', 'relu6', 'tanh', 'sign_bit']);
const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const isPad = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
/** Integer attributes reach the kernels as C `int32_t`/`int` parameters (and TFLite stores them as int32). */
const isInt32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31;

/** Whether a value has an attribute kind's type (ranges are the spec's own check), and what that type is. */
const KINDS: Record<AttrKind, { is: (v: unknown) => boolean; what: string }> = {
  int: { is: isInt32, what: 'a 32-bit integer' },
  float: { is: isNumber, what: 'a number' },
  bool: { is: (v) => typeof v === 'boolean', what: 'a boolean' },
  ints: { is: (v) => Array.isArray(v) && v.every((x) => Number.isInteger(x)), what: 'a list of integers' },
  activation: { is: (v) => ACTIVATIONS.has(v), what: `one of ${[...ACTIVATIONS].join(', ')}` },
  padding: {
    is: (v) => v === 'same' || v === 'valid' || (typeof v === 'object' && v !== null && ['top', 'bottom', 'left', 'right'].every((k) => isPad((v as Record<string, unknown>)[k]))),
    what: "'same', 'valid' or non-negative integer pads",
  },
};

/** Every attribute present with its kind's type (IR_ATTR) and in its range (IR_SHAPE, as geometry always was). */
function checkAttributes<A>(def: OpDef<A>, attrs: A, fail: (msg: string, code?: string) => never): void {
  const specs = def.attrs as Record<string, { kind: AttrKind; check?: (v: unknown) => string | undefined }>;
  const values = (attrs ?? {}) as Record<string, unknown>;
  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name];
    if (!KINDS[spec.kind].is(v)) fail(`attribute ${name} must be ${KINDS[spec.kind].what}, got ${JSON.stringify(v) ?? 'nothing'}`, 'IR_ATTR');
    const problem = spec.check?.(v);
    if (problem !== undefined) fail(`${name} ${problem}`);
  }
}

/** Fill every node's output shapes by inference, in execution order (importers use this when a file lacks them). */
export function inferShapes(graph: Graph): void {
  for (const node of graph.nodes) {
    const shapes = inferOutputShapes(graph, node);
    node.outputs.forEach((t, i) => {
      graph.tensors[t].shape = shapes[i];
    });
  }
}
