import { LayerSpec, Network } from './network';
import { SeededRandom } from '@tinyforge/ir';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

/**
 * Finite-difference checks of back-propagation through every layer kind. A small network keeps the checks fast;
 * it uses each layer type once, with ReLUs, so masking, pooling switches and im2col/col2im are all exercised.
 */
const SMALL: LayerSpec[] = [
  { kind: 'conv', name: 'c1', kernel: 3, outChannels: 4, relu: true },
  { kind: 'maxpool', name: 'p1', size: 2 },
  { kind: 'depthwise', name: 'd2', kernel: 3, relu: true },
  { kind: 'conv', name: 'c2', kernel: 3, outChannels: 5, relu: false },
  { kind: 'conv', name: 'c3', kernel: 1, outChannels: 6, relu: true },
  { kind: 'dense', name: 'f4', outputs: 7, relu: true },
  { kind: 'dense', name: 'f5', outputs: 3, relu: false },
];

function lossOf(net: Network, image: Float32Array, label: number): number {
  return softmaxCrossEntropy(net.forward(image), label, new Float32Array(3));
}

describe('back-propagation', () => {
  const random = new SeededRandom(7);
  const net = new Network(SMALL, { h: 9, w: 9, c: 2 });
  net.initialize(random);
  // Small positive biases keep most ReLUs alive, so that gradients reach every layer.
  for (const p of net.params) if (p.fanIn === undefined) for (let i = 0; i < p.value.length; i++) p.value[i] = 0.05 + 0.1 * random.next();
  const image = Float32Array.from({ length: 9 * 9 * 2 }, () => random.next());
  const label = 1;

  it('matches central differences of the loss for every parameter tensor', () => {
    net.zeroGrads();
    const dLogits = new Float32Array(3);
    softmaxCrossEntropy(net.forward(image), label, dLogits);
    net.backward(dLogits);
    for (const p of net.params) {
      // Five entries per tensor, spread over it.
      for (let k = 0; k < 5; k++) {
        const i = Math.floor(((k + 0.5) / 5) * p.value.length);
        const original = p.value[i];
        const step = 1e-2 * Math.max(1e-2, Math.abs(original));
        p.value[i] = original + step;
        const up = lossOf(net, image, label);
        const hUp = p.value[i] - original; // the step actually taken after float32 rounding
        p.value[i] = original - step;
        const down = lossOf(net, image, label);
        const hDown = original - p.value[i];
        p.value[i] = original;
        const numeric = (up - down) / (hUp + hDown);
        const analytic = p.grad[i];
        expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(analytic));
      }
    }
  });

  it('has a non-trivial gradient everywhere it is checked (the check above could not pass on all-zero gradients)', () => {
    const nonZero = net.params.filter((p) => p.grad.some((g) => g !== 0)).length;
    expect(nonZero).toBe(net.params.length);
  });

  it('accumulates gradients over samples until zeroGrads', () => {
    net.zeroGrads();
    const d = new Float32Array(3);
    softmaxCrossEntropy(net.forward(image), label, d);
    net.backward(d);
    const once = Array.from(net.params[0].grad);
    softmaxCrossEntropy(net.forward(image), label, d);
    net.backward(d);
    net.params[0].grad.forEach((g, i) => expect(g).toBeCloseTo(2 * once[i], 10));
  });
});

describe('softmaxCrossEntropy', () => {
  it('gives −log p(label) and p − onehot, stable for large logits', () => {
    const grad = new Float32Array(3);
    const loss = softmaxCrossEntropy(Float32Array.from([1000, 1000, 1000]), 2, grad);
    expect(loss).toBeCloseTo(Math.log(3), 6);
    expect(Array.from(grad)).toEqual([1 / 3, 1 / 3, 1 / 3 - 1].map(Math.fround));
  });
});
