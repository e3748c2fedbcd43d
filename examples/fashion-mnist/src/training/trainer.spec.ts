import { FashionMnist, IMAGE_PIXELS } from '../dataset';
import { FASHION_MNIST_CNN, INPUT_SHAPE, Network } from './network';
import { SeededRandom } from '@tinyforge/ir';
import { evaluateNetwork, train, TrainOptions } from './trainer';

/** A synthetic 3-class task on 28×28 images: a bright horizontal bar, vertical bar, or centred square, with noise. */
function syntheticSet(count: number, seed: number): FashionMnist {
  const random = new SeededRandom(seed);
  const images = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels[n] = label;
    const offset = Math.floor(random.next() * 10) + 4;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const on = label === 0 ? Math.abs(y - offset) < 3 : label === 1 ? Math.abs(x - offset) < 3 : Math.abs(x - 14) < 6 && Math.abs(y - 14) < 6;
        images[n * IMAGE_PIXELS + y * 28 + x] = Math.min(255, (on ? 160 : 0) + Math.floor(random.next() * 80));
      }
    }
  }
  return { split: 'train', count, images, labels };
}

const OPTIONS: TrainOptions = { seed: 5, epochs: 1, batchSize: 16, learningRate: 0.002, finalLearningRateFraction: 0.1 };

describe('train', () => {
  const data = syntheticSet(240, 1);
  const heldOut = syntheticSet(90, 2);

  it('learns a simple task (held-out accuracy far above the 33 % of guessing) and the loss falls', () => {
    const network = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
    const logs = train(network, data, { ...OPTIONS, epochs: 2 });
    expect(logs).toHaveLength(2);
    expect(logs[1].meanLoss).toBeLessThan(logs[0].meanLoss);
    expect(evaluateNetwork(network, heldOut).accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('is reproducible: the same seed gives identical weights, another seed different ones', () => {
    const a = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
    const b = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
    const c = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
    const small = { ...data, count: 64 };
    train(a, small, OPTIONS);
    train(b, small, OPTIONS);
    train(c, small, { ...OPTIONS, seed: 6 });
    a.params.forEach((p, i) => expect(Buffer.compare(Buffer.from(p.value.buffer), Buffer.from(b.params[i].value.buffer))).toBe(0));
    expect(Array.from(c.params[0].value)).not.toEqual(Array.from(a.params[0].value));
  });
});
