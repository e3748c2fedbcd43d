import { SeededRandom } from '@tinyforge/ir';
import { FashionMnist, IMAGE_PIXELS } from '../dataset';
import { FASHION_MNIST_CNN, INPUT_SHAPE, Network } from '../training/network';
import { EpochLog, evaluateNetwork, train, TrainOptions } from '../training/trainer';

/** A synthetic 3-class task on 28×28 images: a bright horizontal bar, vertical bar, or centred square, with noise. */
export function syntheticSet(count: number, seed: number): FashionMnist {
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

export const OPTIONS: TrainOptions = { seed: 5, epochs: 1, batchSize: 16, learningRate: 0.002, finalLearningRateFraction: 0.1 };

/** Two epochs on 240 synthetic images: the epoch logs and the accuracy on 90 held-out ones. */
export function learnSyntheticTask(): { logs: EpochLog[]; heldOutAccuracy: number } {
  const network = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
  const logs = train(network, syntheticSet(240, 1), { ...OPTIONS, epochs: 2 });
  return { logs, heldOutAccuracy: evaluateNetwork(network, syntheticSet(90, 2)).accuracy };
}

/** Three trainings on 64 images, seeds 5, 5 and 6: whether the first two end with identical weights, the third not. */
export function trainingReproducibility(): { sameSeedIdentical: boolean; otherSeedDiffers: boolean } {
  const small = { ...syntheticSet(240, 1), count: 64 };
  const [a, b, c] = [5, 5, 6].map((seed) => {
    const n = new Network(FASHION_MNIST_CNN, INPUT_SHAPE);
    train(n, small, { ...OPTIONS, seed });
    return n;
  });
  const bytes = (n: Network, i: number) => Buffer.from(n.params[i].value.buffer);
  return {
    sameSeedIdentical: a.params.every((_, i) => Buffer.compare(bytes(a, i), bytes(b, i)) === 0),
    otherSeedDiffers: Buffer.compare(bytes(a, 0), bytes(c, 0)) !== 0,
  };
}
