import { DType } from './dtype';
import { Graph } from './graph';
import { isWeighted, Node } from './ops';
import { Tensor } from './tensor';
import type { Diagnostic } from './diagnostic';

/**
 * Quantization parameters as TFLite's quantization spec defines them, checked once for every reader and every
 * engine (a model no valid int8 model resembles must be refused, never computed two different ways):
 *
 * - every scale is a finite, positive, normal float32 (a denormal or an overflowing scale has no meaning), except
 *   a dead channel of per-channel constants: scale 0 where an int8 filter's channel is all zeros (and its bias's
 *   channel), which TFLite runs with multiplier 0 (QuantizeMultiplier(0) = 0, shift 0);
 * - every zero point is an integer inside its type's range (int8 −128…127, uint8 0…255, int16 −32768…32767; int32
 *   activations −(2^31−1)…2^31−1, as the kernels negate it into an int32), and 0
 *   for int32/int64 constants (biases) and for the int8 weights of convolution, depthwise and fully connected
 *   layers (TFLite's symmetric weights);
 * - the requantization multiplier of a weighted layer, input scale × weight scale / output scale per channel, is
 *   one TFLite's QuantizeMultiplier represents without saturating (below 2^30).
 */

const FLT_MIN = 1.1754943508222875e-38;
const FLT_MAX = 3.4028234663852886e38;
/** QuantizeMultiplier saturates at a shift above 30: real multipliers from 2^30 up are not representable. */
export const MAX_REQUANTIZATION_MULTIPLIER = 2 ** 30;

const ZERO_POINT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  // The kernels take the negated zero point as a C int32 (input_offset = -zero point): -2^31 has none.
  int32: [-(2 ** 31 - 1), 2 ** 31 - 1],
};

/** Problems with a tensor's own parameters (scales, zero points). */
export function checkTensorQuantization(t: Tensor): Diagnostic[] {
  const q = t.quant;
  if (q === undefined) return [];
  const problems: Diagnostic[] = [];
  const bad = (message: string): number => problems.push({ code: 'IR_QUANT', tensor: t.name, message: `tensor '${t.name}' ${message}` });
  const badScale = q.scale.findIndex((s, c) => !(Number.isFinite(s) && s >= FLT_MIN && s <= FLT_MAX) && !(s === 0 && deadChannel(t, c)));
  if (badScale >= 0) bad(`has scale ${q.scale[badScale]}${q.scale.length > 1 ? ` (channel ${badScale})` : ''}: a scale must be a finite, positive, normal float32`);
  const range = ZERO_POINT_RANGE[t.dtype];
  const constantInteger = (t.dtype === 'int32' || t.dtype === 'int64') && t.data !== undefined;
  const badZero = q.zeroPoint.findIndex((z) => !Number.isSafeInteger(z) || (range !== undefined && (z < range[0] || z > range[1])) || (constantInteger && z !== 0));
  if (badZero >= 0) {
    const z = q.zeroPoint[badZero];
    const allowed = constantInteger ? '0 (a bias)' : range !== undefined ? `${range[0]}…${range[1]}` : 'an integer';
    bad(`has zero point ${z}${q.zeroPoint.length > 1 ? ` (channel ${badZero})` : ''}: ${t.dtype} zero points must be ${allowed}`);
  }
  return problems;
}

/** Whether channel `c` of a per-channel constant may have scale 0: an int8 channel of zeros, or a bias channel. */
function deadChannel(t: Tensor, c: number): boolean {
  const q = t.quant!;
  if (t.data === undefined || q.scale.length < 2) return false;
  if (t.dtype === 'int32' || t.dtype === 'int64') return true;
  if (t.dtype !== 'int8' || q.axis < 0 || q.axis >= t.shape.length) return false;
  const inner = t.shape.slice(q.axis + 1).reduce((a, d) => a * d, 1);
  for (let i = 0; i < t.data.length; i++) if (Math.floor(i / inner) % q.scale.length === c && t.data[i] !== 0) return false;
  return true;
}

/** Problems with the parameters a weighted int8 layer combines: symmetric weights, a representable multiplier. */
export function checkLayerQuantization(graph: Graph, node: Node): Diagnostic[] {
  if (!isWeighted(node)) return [];
  const x = graph.tensors[node.inputs[0]];
  const w = graph.tensors[node.inputs[1]];
  const y = graph.tensors[node.outputs[0]];
  if (x?.quant === undefined || w?.quant === undefined || y?.quant === undefined || w.dtype !== 'int8') return [];
  const problems: Diagnostic[] = [];
  const bad = (message: string): number => problems.push({ code: 'IR_QUANT', node: node.name, message: `${node.op} '${node.name}': ${message}` });
  const zero = w.quant.zeroPoint.findIndex((z) => z !== 0);
  if (zero >= 0) bad(`weights '${w.name}' have zero point ${w.quant.zeroPoint[zero]}; int8 weights are symmetric (zero point 0)`);
  const inputScale = Math.fround(x.quant.scale[0]);
  const outputScale = Math.fround(y.quant.scale[0]);
  for (let c = 0; c < w.quant.scale.length; c++) {
    const m = (inputScale * Math.fround(w.quant.scale[c])) / outputScale;
    if (!Number.isFinite(m) || m >= MAX_REQUANTIZATION_MULTIPLIER) {
      bad(`input scale × weight scale / output scale is ${m}${w.quant.scale.length > 1 ? ` for channel ${c}` : ''}, which TFLite's requantization cannot represent (it must stay below 2^30)`);
      break;
    }
  }
  return problems;
}
