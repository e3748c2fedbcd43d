import { GraphBuilder } from '../builder';
import { Graph } from '../graph';
import { seededUniform } from '../random';
import { Quantization } from '../tensor';

const Q: Quantization = { scale: [0.05], zeroPoint: [-3], axis: 0 };
/** Symmetric weights, as TFLite's int8 scheme requires. */
const WQ: Quantization = { scale: [0.004], zeroPoint: [0], axis: 0 };

/**
 * A random int8 CNN: convolutions, depthwise convolutions, skip connections (ADD of an earlier tensor of the same
 * shape), and a RESHAPE + FULLY_CONNECTED head. Weights are random; shapes are what matter to the planner.
 */
export function randomCnn(seed: number, maxLayers = 10): Graph {
  const rnd = seededUniform(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const b = new GraphBuilder(`random_${seed}`);
  let h = pick([4, 6, 8, 9]);
  let w = pick([3, 4, 5, 8]);
  let c = pick([1, 2, 3, 4]);
  let x = b.input({ name: 'input', shape: [1, h, w, c], dtype: 'int8', quant: Q });
  const history: { t: number; shape: string }[] = [{ t: x, shape: `${h},${w},${c}` }];
  const layers = 1 + Math.floor(rnd() * maxLayers);
  for (let i = 0; i < layers; i++) {
    const kind = pick(['conv', 'conv', 'dw', 'add', 'pointwise']);
    const name = `l${i}_${kind}`;
    if (kind === 'add') {
      const same = history.filter((e) => e.shape === `${h},${w},${c}` && e.t !== x);
      if (same.length === 0) continue;
      x = b.node('Add', { activation: 'none' }, [x, pick(same).t], { name, dtype: 'int8', quant: Q });
    } else {
      const k = kind === 'pointwise' ? 1 : pick([1, 3]);
      const stride = h > 2 && w > 2 ? pick([1, 1, 2]) : 1;
      const padding = pick(['same', 'valid'] as const);
      if (padding === 'valid' && (h < k || w < k)) continue;
      const outC = kind === 'dw' ? c * pick([1, 2]) : pick([2, 4, 8, 16]);
      const weights =
        kind === 'dw'
          ? b.constant({ name: `${name}_w`, shape: [1, k, k, outC], dtype: 'int8', quant: WQ }, randomBytes(rnd, k * k * outC))
          : b.constant({ name: `${name}_w`, shape: [outC, k, k, c], dtype: 'int8', quant: WQ }, randomBytes(rnd, outC * k * k * c));
      const bias = b.constant({ name: `${name}_b`, shape: [outC], dtype: 'int32' }, new Int32Array(outC));
      const conv = { strideH: stride, strideW: stride, dilationH: 1, dilationW: 1, padding, activation: 'relu' as const };
      x =
        kind === 'dw'
          ? b.node('DepthwiseConv2D', { ...conv, depthMultiplier: outC / c }, [x, weights, bias], { name, dtype: 'int8', quant: Q })
          : b.node('Conv2D', conv, [x, weights, bias], { name, dtype: 'int8', quant: Q });
      const shape = b.build().tensors[x].shape;
      [h, w, c] = [shape[1], shape[2], shape[3]];
    }
    history.push({ t: x, shape: `${h},${w},${c}` });
  }
  const flat = b.node('Reshape', {}, [x], { name: 'flatten', dtype: 'int8', quant: Q, shape: [1, h * w * c] });
  const classes = pick([2, 5, 10]);
  const fw = b.constant({ name: 'fc_w', shape: [classes, h * w * c], dtype: 'int8', quant: WQ }, randomBytes(rnd, classes * h * w * c));
  const out = b.node('FullyConnected', { activation: 'none', keepNumDims: false }, [flat, fw, -1], { name: 'logits', dtype: 'int8', quant: Q });
  return b.output(out).build();
}

function randomBytes(rnd: () => number, n: number): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rnd() * 256) - 128;
  return a;
}
