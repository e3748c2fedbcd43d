import * as fs from 'fs';
import * as path from 'path';
import { DatasetError } from './dataset-error';
import { readIdxFile } from './idx';

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

export const IMAGE_HEIGHT = 28;
export const IMAGE_WIDTH = 28;
export const IMAGE_PIXELS = IMAGE_HEIGHT * IMAGE_WIDTH;

export type Split = 'train' | 'test';

/** One split: `count` 28×28 grey images (row-major bytes, 0 = background) and their labels 0..9. */
export interface FashionMnist {
  split: Split;
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

export interface LoadOptions {
  /** Folder with the four IDX files (gz or not). Default: $FASHION_MNIST_DIR, else the Debian path. */
  dir?: string;
  /** Keep only the first `limit` samples. */
  limit?: number;
}

const FILE_STEMS: Record<Split, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The dataset folder to use: the given one, $FASHION_MNIST_DIR, or Debian's. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? process.env.FASHION_MNIST_DIR ?? DEBIAN_FASHION_MNIST_DIR;
}

/** True when both splits are present (tests use this to skip with a message instead of failing). */
export function fashionMnistAvailable(dir?: string): boolean {
  const d = fashionMnistDir(dir);
  return (['train', 'test'] as Split[]).every((s) => findFile(d, FILE_STEMS[s].images) !== undefined && findFile(d, FILE_STEMS[s].labels) !== undefined);
}

/** Load one split; images and labels are checked against each other and against the 28×28 layout. */
export function loadFashionMnist(split: Split, options: LoadOptions = {}): FashionMnist {
  const dir = fashionMnistDir(options.dir);
  const imagesFile = requireFile(dir, FILE_STEMS[split].images);
  const labelsFile = requireFile(dir, FILE_STEMS[split].labels);
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3 || images.dims[1] !== IMAGE_HEIGHT || images.dims[2] !== IMAGE_WIDTH) {
    throw new DatasetError('DATASET_MALFORMED', `images must be [N, 28, 28], found [${images.dims.join(', ')}]`, { file: imagesFile, offset: 3 });
  }
  if (labels.dims.length !== 1) throw new DatasetError('DATASET_MALFORMED', `labels must be [N], found [${labels.dims.join(', ')}]`, { file: labelsFile, offset: 3 });
  if (labels.dims[0] !== images.dims[0]) {
    throw new DatasetError('DATASET_MISMATCH', `${images.dims[0]} images but ${labels.dims[0]} labels in ${labelsFile}`, { file: imagesFile });
  }
  const bad = labels.data.findIndex((l) => l >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0) throw new DatasetError('DATASET_MALFORMED', `label ${labels.data[bad]} of sample ${bad} is not a class 0..9`, { file: labelsFile, offset: 8 + bad });
  const count = Math.min(images.dims[0], options.limit ?? Infinity);
  return { split, count, images: images.data.subarray(0, count * IMAGE_PIXELS), labels: labels.data.subarray(0, count) };
}

/**
 * Image `index` as the model's input: float32 [1, 28, 28, 1] (NHWC), pixels scaled to [0, 1]. Writes into `out`
 * when given (to avoid one allocation per image in loops).
 */
export function imageAsFloat(data: FashionMnist, index: number, out = new Float32Array(IMAGE_PIXELS)): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= data.count) throw new RangeError(`image ${index} is outside 0..${data.count - 1}`);
  const base = index * IMAGE_PIXELS;
  for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = data.images[base + i] / 255;
  return out;
}

function findFile(dir: string, stem: string): string | undefined {
  for (const name of [stem, `${stem}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function requireFile(dir: string, stem: string): string {
  const file = findFile(dir, stem);
  if (file === undefined) {
    throw new DatasetError('DATASET_NOT_FOUND', `neither ${stem} nor ${stem}.gz is in ${dir} (install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR)`, { file: dir });
  }
  return file;
}
