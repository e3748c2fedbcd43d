import { Conv2DLayer } from './conv2d-layer';
import { DenseLayer } from './dense-layer';
import { DepthwiseLayer } from './depthwise-layer';
import { Layer, Param, Shape3 } from './layer';
import { MaxPoolLayer } from './max-pool-layer';
import { SeededRandom } from '@tinyforge/ir';

/** One layer of the architecture, as data: the trainer and the ONNX exporter both walk this list. */
export type LayerSpec =
  | { kind: 'conv'; name: string; kernel: number; outChannels: number; relu: boolean }
  | { kind: 'depthwise'; name: string; kernel: number; relu: boolean }
  | { kind: 'maxpool'; name: string; size: number }
  | { kind: 'dense'; name: string; outputs: number; relu: boolean };

/**
 * The demo CNN: a 3×3 conv, two depthwise-separable blocks (3×3 depthwise + 1×1 pointwise), max pooling after
 * each stage, two fully connected layers; softmax is applied on top of the logits. About 1.19 M MACs.
 */
export const FASHION_MNIST_CNN: readonly LayerSpec[] = [
  { kind: 'conv', name: 'conv1', kernel: 3, outChannels: 32, relu: true },
  { kind: 'maxpool', name: 'pool1', size: 2 },
  { kind: 'depthwise', name: 'dw2', kernel: 3, relu: true },
  { kind: 'conv', name: 'pw2', kernel: 1, outChannels: 64, relu: true },
  { kind: 'maxpool', name: 'pool2', size: 2 },
  { kind: 'depthwise', name: 'dw3', kernel: 3, relu: true },
  { kind: 'conv', name: 'pw3', kernel: 1, outChannels: 128, relu: true },
  { kind: 'maxpool', name: 'pool3', size: 2 },
  { kind: 'dense', name: 'fc4', outputs: 64, relu: true },
  { kind: 'dense', name: 'fc5', outputs: 10, relu: false },
];

export const INPUT_SHAPE: Shape3 = { h: 28, w: 28, c: 1 };

/** A stack of layers run one image at a time. */
export class Network {
  readonly layers: Layer[] = [];

  constructor(
    readonly specs: readonly LayerSpec[],
    readonly inputShape: Shape3,
  ) {
    let shape = inputShape;
    for (const s of specs) {
      const layer = createLayer(s, shape);
      this.layers.push(layer);
      shape = layer.outShape;
    }
  }

  get params(): Param[] {
    return this.layers.flatMap((l) => l.params);
  }

  get outputShape(): Shape3 {
    return this.layers[this.layers.length - 1].outShape;
  }

  /** He-normal weights (std √(2 / fan-in); √(1 / fan-in) for the logits layer), zero biases. */
  initialize(random: SeededRandom): void {
    this.layers.forEach((layer, i) => {
      const last = i === this.layers.length - 1;
      for (const p of layer.params) {
        if (p.fanIn === undefined) continue; // biases stay zero
        const std = Math.sqrt((last ? 1 : 2) / p.fanIn);
        for (let j = 0; j < p.value.length; j++) p.value[j] = random.normal() * std;
      }
    });
  }

  /** The logits of one image (a view valid until the next forward). */
  forward(image: Float32Array): Float32Array {
    let x = image;
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }

  /** Back-propagate the logits' gradient through every layer (after `forward` on the same image). */
  backward(dLogits: Float32Array): void {
    let dy: Float32Array | undefined = dLogits;
    for (let i = this.layers.length - 1; i >= 0 && dy !== undefined; i--) dy = this.layers[i].backward(dy, i > 0);
  }

  zeroGrads(): void {
    for (const p of this.params) p.grad.fill(0);
  }
}

function createLayer(s: LayerSpec, shape: Shape3): Layer {
  switch (s.kind) {
    case 'conv':
      return new Conv2DLayer(s.name, shape, s.kernel, s.outChannels, s.relu);
    case 'depthwise':
      return new DepthwiseLayer(s.name, shape, s.kernel, s.relu);
    case 'maxpool':
      return new MaxPoolLayer(s.name, shape, s.size);
    case 'dense':
      return new DenseLayer(s.name, shape, s.outputs, s.relu);
  }
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
