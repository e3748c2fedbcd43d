import { explicitPadding, Graph, NodeOf } from '@tinyforge/ir';
import { quantizedActivationRange } from '@tinyforge/interpreter';
import { MismatchCause } from './rounding-analysis';

type AveragePool = NodeOf<'AveragePool2D'>;

/** Per output element (NHWC order) of an int8 average pool: the sum of its window's raw int8 values and its size. */
function windowSums(g: Graph, node: AveragePool, tensors: ReadonlyMap<number, Uint8Array>): { sums: Int32Array; counts: Int32Array } {
  const b = tensors.get(node.inputs[0])!;
  const x = new Int8Array(b.buffer, b.byteOffset, b.byteLength);
  const [, inH, inW, channels] = g.tensors[node.inputs[0]].shape;
  const [, outH, outW] = g.tensors[node.outputs[0]].shape;
  const a = node.attrs;
  const pad = explicitPadding(inH, inW, a.filterH, a.filterW, a.strideH, a.strideW, 1, 1, a.padding);
  const sums = new Int32Array(outH * outW * channels);
  const counts = new Int32Array(sums.length);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const y0 = oy * a.strideH - pad.top;
      const x0 = ox * a.strideW - pad.left;
      for (let y = Math.max(0, y0); y < Math.min(inH, y0 + a.filterH); y++) {
        for (let xx = Math.max(0, x0); xx < Math.min(inW, x0 + a.filterW); xx++) {
          for (let c = 0; c < channels; c++) {
            const o = (oy * outW + ox) * channels + c;
            sums[o] += x[(y * inW + xx) * channels + c];
            counts[o]++;
          }
        }
      }
    }
  }
  return { sums, counts };
}

/**
 * Every element of an int8 average pool where `theirs` differs from ours, explained. TFLite averages the raw int8
 * values (zero point included) and rounds half away from zero; onnxruntime rounds the dequantized mean half to even,
 * so the two differ only where the sum over an even-sized window is an exact tie.
 */
export function explainAveragePool(g: Graph, node: AveragePool, tensors: ReadonlyMap<number, Uint8Array>, theirs: Int8Array): Map<MismatchCause, number> {
  const b = tensors.get(node.outputs[0])!;
  const ours = new Int8Array(b.buffer, b.byteOffset, b.byteLength);
  const { sums, counts } = windowSums(g, node, tensors);
  const causes = new Map<MismatchCause, number>();
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === theirs[i]) continue;
    const tie = counts[i] % 2 === 0 && Math.abs(sums[i]) % counts[i] === counts[i] / 2;
    const cause: MismatchCause = tie && Math.abs(ours[i] - theirs[i]) === 1 ? 'tie-away-vs-even' : 'unexplained';
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  return causes;
}

/** An int8 average pool rounded as onnxruntime does: the mean of the dequantized window, half to even. */
export function singleRoundingAveragePool(g: Graph, node: AveragePool, tensors: ReadonlyMap<number, Uint8Array>): Int8Array {
  const outQ = g.tensors[node.outputs[0]].quant!;
  const zp = g.tensors[node.inputs[0]].quant!.zeroPoint[0];
  const clamp = quantizedActivationRange(node.attrs.activation, 'int8', outQ.scale[0], outQ.zeroPoint[0]) ?? { min: -128, max: 127 };
  const { sums, counts } = windowSums(g, node, tensors);
  return Int8Array.from(sums, (raw, i) => {
    const sum = raw - counts[i] * zp;
    const down = Math.floor(sum / counts[i]);
    const twice = 2 * (sum - down * counts[i]);
    const mean = twice > counts[i] || (twice === counts[i] && down % 2 !== 0) ? down + 1 : down;
    return Math.max(clamp.min, Math.min(clamp.max, mean + outQ.zeroPoint[0]));
  });
}
