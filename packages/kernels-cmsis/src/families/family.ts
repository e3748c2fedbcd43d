/**
 * A kernel family's descriptor: what the rest of the toolchain needs to know about one kind of C kernel call, in
 * one place. Which IR ops it lowers and how (TFLite's prepare-step arithmetic), the scratch each path's C
 * `_get_buffer_size` asks for, which input its output may overwrite, the C a code generator emits for a call, and
 * the host test driver's vector format. `registry.ts` maps IR ops and C kernel names to families; nothing outside
 * the families switches over ops or kernels.
 */
import { DType, FusedActivation, Graph, Node, OpType, Quantization, Tensor } from '@tinyforge/ir';

/** The C kernels' code paths: plain C, Armv7E-M / Armv8-M DSP, Helium (MVE). Each build compiles one. */
export type KernelPath = 'plain' | 'dsp' | 'mve';
export const KERNEL_PATHS: readonly KernelPath[] = ['plain', 'dsp', 'mve'];

export interface Dims4 {
  n: number;
  h: number;
  w: number;
  c: number;
}

export interface HW {
  h: number;
  w: number;
}

export interface Clamp {
  min: number;
  max: number;
}

/** What every kernel call carries: the C function, the node it came from and its activation tensors. */
export interface CallBase {
  kernel: string;
  /** IR node name, for diagnostics and generated comments. */
  node: string;
  /** Activation tensors read, in kernel order. */
  inputs: number[];
  output: number;
}

export type QuantTensor = Tensor & { quant: Quantization };

export type KernelErrorCode = 'KERNEL_UNSUPPORTED_OP' | 'KERNEL_UNSUPPORTED_TYPE' | 'KERNEL_BAD_QUANTIZATION' | 'KERNEL_BAD_SHAPE';

/** A family's lowering gets the node and accessors that fail with a typed error naming it. */
export interface LoweringContext {
  graph: Graph;
  node: Node;
  fail(code: KernelErrorCode, message: string): never;
  tensor(index: number): Tensor;
  /** An int8 tensor with one per-tensor scale. */
  activation(index: number): QuantTensor;
  /** A quantized tensor of one of `dtypes` with one per-tensor scale. */
  quantized(index: number, dtypes: readonly DType[]): QuantTensor;
  /** A fused activation as a clamp in the output's quantized domain (int8, or int16 for int16 outputs). */
  clamp(activation: FusedActivation, output: QuantTensor): Clamp;
}

/**
 * How a node's output may share memory with one of its inputs (the memory planner's rule):
 * - 'same': the output occupies exactly the input's bytes (views, element-wise ops);
 * - 'stream': the kernel writes output rows in increasing order and never needs an input row again once past it,
 *   so the output may start `minDisplacement` bytes (or more) before the input.
 */
export type InPlaceRule = { kind: 'same' } | { kind: 'stream'; minDisplacement: number };

export interface InPlace {
  inputPosition: number;
  rule: InPlaceRule;
}

/** A C `_get_buffer_size` function and its TypeScript twin (checked against each other by scratch-sizes.spec.ts). */
export interface ScratchFunction<G> {
  /** The C function: unsuffixed it answers for the build's own path; with `byPath`, `_dsp` and `_mve` variants exist. */
  name: string;
  byPath: boolean;
  /** Its arguments in generated code: names of the parameter structs the family's emitter declares. */
  args: string;
  /** Its arguments for `g` as C99 compound literals. */
  literalArgs(g: G): string;
  bytes(g: G, path: KernelPath): number;
}

/** C element types of constant arrays. */
export type ConstantCType = 'int8_t' | 'int16_t' | 'int32_t' | 'int64_t' | 'float';

/**
 * Where a layer function's C goes. The code generator implements it over its writer, arena plan and weight table;
 * a family's emitter writes the body of `static tfg_status <layer>(int8_t *arena)`.
 */
export interface LayerWriter {
  line(text: string): void;
  comment(text: string): void;
  /** The layer function's arena parameter. */
  readonly arena: string;
  /** A tensor's bytes as a C expression: in the arena, or a constant array. */
  at(tensor: number): string;
  /** The scratch buffer the memory plan gives this layer; `base`: the array its offset counts from, when not `arena`
   *  (a multi-region plan put it in another RAM region's array). */
  readonly scratch?: { offset: number; size: number; base?: string };
  /** The output already occupies the input's bytes (a view the plan aliased). */
  readonly aliased: boolean;
  /** An array for the model's constant data (flash); returns its C name. `comment` may hold model strings. */
  constant(suffix: string, ctype: ConstantCType, values: ArrayLike<number | bigint>, comment: string): string;
  /** A macro the model's source defines (to 1) before it includes tfg_nn.h. */
  define(macro: string): void;
}

/** One call's parameters in the host test driver's vector format (test/common/tfg_vector.c reads them). */
export interface VectorParameters {
  ints: number[];
  blobs: Uint8Array[];
}

/**
 * One kernel family. `C` is its call type; `G` the shape facts its scratch sizes and in-place rule depend on,
 * which the memory planner reads from the graph alone (no quantization needed) and every call also carries.
 */
export interface KernelFamily<C extends CallBase = CallBase, G = C> {
  name: string;
  /** IR ops this family lowers. */
  ops: readonly OpType[];
  /** Where several families list an op, whether this one takes the node (the registry asks in its order). */
  takes?(graph: Graph, node: Node): boolean;
  /** Each C kernel its calls use, with its op code in the vector format. */
  kernels: Readonly<Record<C['kernel'], number>>;
  /** IR node → call, with TFLite Micro's prepare-step arithmetic. */
  lower(ctx: LoweringContext): C;
  /** Shape facts from the graph for the planner; needed with `scratch`. */
  geometry?(graph: Graph, node: Node): G;
  /** The size function of each kernel that takes scratch; kernels without one take none. */
  scratch?: Readonly<Partial<Record<C['kernel'], ScratchFunction<G>>>>;
  /** Which input the output may overwrite, and how. */
  inPlace?(graph: Graph, node: Node): InPlace | undefined;
  /**
   * The call with its bias folded (bias + input offset × the channel's weight sum, the C kernels' folded_bias), for
   * targets whose kernels prefer it (foldedBiasPreferred); undefined where the call cannot take it.
   */
  foldBias?(call: C): C | undefined;
  /** The layer function's body: parameter structs, the scratch check and the call. */
  emit(call: C, out: LayerWriter): void;
  vector(call: C, inputs: Int8Array[]): VectorParameters;
}

/** Identity with the family's types checked where it is written. */
export function defineFamily<C extends CallBase, G = C>(family: KernelFamily<C, G>): KernelFamily<C, G> {
  return family;
}
