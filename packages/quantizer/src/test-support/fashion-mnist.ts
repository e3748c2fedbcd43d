import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

export const FASHION_MNIST_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
export const DEMO_MODEL = path.resolve(__dirname, '../../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');

/** The body of an IDX file (gzipped or not), after its header of 4 + 4·rank bytes. */
function idxBody(stem: string): Buffer {
  const gz = path.join(FASHION_MNIST_DIR, `${stem}.gz`);
  const b = fs.existsSync(gz) ? zlib.gunzipSync(fs.readFileSync(gz)) : fs.readFileSync(path.join(FASHION_MNIST_DIR, stem));
  return b.subarray(4 + 4 * b[3]);
}

export function fashionMnistPresent(): boolean {
  return ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every(
    (s) => fs.existsSync(path.join(FASHION_MNIST_DIR, `${s}.gz`)) || fs.existsSync(path.join(FASHION_MNIST_DIR, s)),
  );
}

/** The first `count` images of a split as float32 [28, 28, 1] in [0, 1] (the demo model's input), with labels. */
export function fashionMnist(split: 'train' | 't10k', count: number): { images: Float32Array[]; labels: Uint8Array } {
  const pixels = idxBody(`${split}-images-idx3-ubyte`);
  const labels = idxBody(`${split}-labels-idx1-ubyte`);
  const images = Array.from({ length: count }, (_, k) => Float32Array.from(pixels.subarray(k * 784, (k + 1) * 784), (p) => p / 255));
  return { images, labels: Uint8Array.from(labels.subarray(0, count)) };
}
