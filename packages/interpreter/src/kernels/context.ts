import { AnyTypedArray, DType, Graph, NodeOf, OpType, Quantization, Tensor } from '@tinyforge/ir';
import { InterpreterError } from '../errors';

/** Runs one prepared node: reads its input arrays, writes its output array. No allocation, no validation. */
export type Evaluate = () => void;

/**
 * What a kernel sees while preparing: the node, its tensors and the arrays every tensor lives in. All checks and all
 * derived parameters belong in preparation (TFLite Micro's Prepare); the returned Evaluate only computes.
 */
export class KernelContext<K extends OpType = OpType> {
  constructor(
    readonly graph: Graph,
    readonly node: NodeOf<K>,
    private readonly arrays: AnyTypedArray[],
    private readonly observer?: (node: string, what: string, values: Float32Array) => void,
  ) {}

  /** Report internal float values to the interpreter's observer (see InterpreterOptions.observe), if it has one. */
  get observe(): ((what: string, values: Float32Array) => void) | undefined {
    const o = this.observer;
    return o === undefined ? undefined : (what, values) => o(this.node.name, what, values);
  }

  tensor(position: number): Tensor {
    return this.graph.tensors[this.node.inputs[position]];
  }

  hasInput(position: number): boolean {
    const i = this.node.inputs[position];
    return i !== undefined && i >= 0;
  }

  get output(): Tensor {
    return this.graph.tensors[this.node.outputs[0]];
  }

  input<T extends AnyTypedArray>(position: number): T {
    return this.arrays[this.node.inputs[position]] as T;
  }

  outputArray<T extends AnyTypedArray>(): T {
    return this.arrays[this.node.outputs[0]] as T;
  }

  /** Single (per-tensor) quantization parameters of a tensor, or an error naming the node. */
  quant(t: Tensor): { scale: number; zeroPoint: number } {
    const q: Quantization | undefined = t.quant;
    if (q === undefined || q.scale.length === 0) this.unsupported(`tensor '${t.name}' has no quantization parameters`);
    if (q!.scale.length > 1) this.unsupported(`tensor '${t.name}' must be quantized per tensor, not per axis`);
    return { scale: Math.fround(q!.scale[0]), zeroPoint: q!.zeroPoint[0] };
  }

  unsupported(message: string): never {
    throw new InterpreterError('INTERP_UNSUPPORTED', `${this.node.op}: ${message}`, { node: this.node.name });
  }
}

/** Prepares one node of op K for one element type: checks, derived parameters, and the Evaluate that computes. */
export type KernelFactory<K extends OpType = OpType> = (ctx: KernelContext<K>) => Evaluate;

/**
 * One op's kernels, by the element type of its first input (TFLite's kernels switch on it the same way); `any`
 * serves every element type (kernels that only move or convert elements). An int16 kernel is one more field.
 */
export type KernelEntry<K extends OpType> = { readonly [D in DType | 'any']?: KernelFactory<K> };
