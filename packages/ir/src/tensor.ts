import { DType, dtypeBytes, viewAs, TypedArrayOf } from './dtype';
import { TensorLayout } from './layout';

/**
 * Affine quantization: real = scale * (q - zeroPoint). One entry per tensor (per-tensor) or one per slice along
 * `axis` (per-axis / per-channel, as TFLite does for conv weights along the output-channel axis).
 */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Quantized dimension; meaningful only when scale has more than one entry. */
  axis: number;
}

export interface Tensor {
  name: string;
  /** Static shape, NHWC for 4-D activations. A scalar has shape []. */
  shape: number[];
  dtype: DType;
  /** Constant data as raw little-endian bytes; undefined for activations and graph inputs. */
  data?: Uint8Array;
  quant?: Quantization;
  /**
   * Op state (TFLite's variable tensors): never a graph input, never produced by a node, no constant data; the
   * nodes that take it read it and update it in place. Its value starts at zero (the zero point for int8, as TFLite
   * Micro resets it). 'persistent': the value carries from one run to the next until the runtime resets it (TFLite
   * and TFLite Micro variable tensors: LSTM and SVDF state), so a memory plan must keep it out of the reused arena
   * region for the program's lifetime. 'per-run': reset at the start of every run (ONNX recurrent ops, whose
   * initial state is zero in every run); live only while the nodes that take it run.
   */
  state?: StateKind;
  /**
   * A 4-D graph input's or output's axis order as its model declares it (raw bytes given to or taken from the model
   * are in it). Absent means NHWC, the IR's own; an NCHW one is converted at the boundary by an explicit Transpose.
   */
  layout?: TensorLayout;
}

export type StateKind = 'persistent' | 'per-run';

/** Whether a tensor is op state (see Tensor.state). */
export function isState(t: Tensor): boolean {
  return t.state !== undefined;
}

/**
 * Real values of quantized ones, scale · (q − zero point), per tensor or per slice along `axis` of `shape` (one scale
 * and zero point per slice, in the order the slices appear).
 */
export function dequantizeValues(values: ArrayLike<number>, shape: readonly number[], q: Pick<Quantization, 'scale' | 'zeroPoint'>, axis: number): Float32Array {
  const perAxis = q.scale.length > 1;
  const inner = perAxis ? elementCount(shape.slice(axis + 1)) : 1;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = perAxis ? Math.floor(i / inner) % q.scale.length : 0;
    out[i] = q.scale[k] * (values[i] - q.zeroPoint[k]);
  }
  return out;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensorBytes(t: Pick<Tensor, 'shape' | 'dtype'>): number {
  return elementCount(t.shape) * dtypeBytes(t.dtype);
}

export function isConstant(t: Tensor): t is Tensor & { data: Uint8Array } {
  return t.data !== undefined;
}

/** The constant values of a tensor as a typed array of its dtype. */
export function constantValues<D extends DType>(t: Tensor & { dtype: D }): TypedArrayOf<D> {
  if (t.data === undefined) throw new Error(`tensor '${t.name}' has no constant data`);
  return viewAs(t.data, t.dtype);
}

/** Integer constants (int32/int64/int8…) as plain numbers, e.g. a RESHAPE shape or MEAN axes input. */
export function constantInts(t: Tensor): number[] {
  if (t.data === undefined) throw new Error(`tensor '${t.name}' has no constant data`);
  const v = viewAs(t.data, t.dtype);
  return Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));
}

export function isPerAxis(q: Quantization | undefined): boolean {
  return q !== undefined && q.scale.length > 1;
}

export function shapeToString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
