import { Interpreter } from '@tinyforge/interpreter';
import { bytesOf, graphStats, validateGraph } from '@tinyforge/ir';
import { readOnnx, writeOnnx } from '@tinyforge/model-format';
import { networkToGraph } from './export-graph';
import { FASHION_MNIST_CNN, INPUT_SHAPE, Network } from './training/network';
import { SeededRandom } from '@tinyforge/ir';

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('networkToGraph (the demo architecture, seeded random weights)', () => {
  const random = new SeededRandom(11);
  const network = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
  network.initialize(random);
  for (const p of network.params) if (p.fanIn === undefined) for (let i = 0; i < p.value.length; i++) p.value[i] = 0.1 * random.normal();
  const graph = networkToGraph(network);
  const images = Array.from({ length: 3 }, () => Float32Array.from({ length: 784 }, () => random.next()));

  it('is a valid graph with the hand-counted MACs and parameters', () => {
    expect(validateGraph(graph)).toEqual([]);
    const s = graphStats(graph);
    // conv1 28·28·32·9 + dw2 14·14·32·9 + pw2 14·14·64·32 + dw3 7·7·64·9 + pw3 7·7·128·64 + fc4 64·1152 + fc5 10·64
    expect(s.macs).toBe(225792 + 56448 + 401408 + 28224 + 401408 + 73728 + 640);
    // weights + biases: 32·9+32, 9·32+32, 64·32+64, 9·64+64, 128·64+128, 64·1152+64, 10·64+10
    expect(s.params).toBe(320 + 320 + 2112 + 640 + 8320 + 73792 + 650);
    expect(s.opHistogram).toEqual({ Conv2D: 3, DepthwiseConv2D: 2, MaxPool2D: 3, Reshape: 1, FullyConnected: 2, Softmax: 1 });
    expect(graph.tensors[graph.inputs[0]].shape).toEqual([1, 28, 28, 1]);
    expect(graph.tensors[graph.outputs[0]].shape).toEqual([1, 10]);
  });

  it('computes what the training code computes: the same logits, hence the same probabilities', () => {
    const interpreter = new Interpreter(graph);
    const logitsTensor = graph.nodes[graph.nodes.length - 1].inputs[0];
    for (const image of images) {
      const logits = network.forward(image);
      const run = interpreter.run([bytesOf(image)], { keepIntermediates: (t) => t === logitsTensor });
      // Same float32 rounding points in both: bit-identical logits.
      expect(Array.from(new Float32Array(run.tensors!.get(logitsTensor)!.slice().buffer))).toEqual(Array.from(logits));
      const probabilities = new Float32Array(run.outputs[0].slice().buffer);
      softmax(logits).forEach((p, i) => expect(probabilities[i]).toBeCloseTo(p, 6));
    }
  });

  it('survives the ONNX round trip (writeOnnx → readOnnx) with the same outputs', () => {
    const loaded = readOnnx(writeOnnx(graph));
    const a = new Interpreter(graph);
    const b = new Interpreter(loaded);
    for (const image of images) {
      const pa = new Float32Array(a.run([bytesOf(image)]).outputs[0].slice().buffer);
      const pb = new Float32Array(b.run([bytesOf(image)]).outputs[0].slice().buffer);
      pa.forEach((v, i) => expect(pb[i]).toBeCloseTo(v, 6));
    }
  });
});
