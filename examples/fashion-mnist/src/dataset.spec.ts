import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { fashionMnistAvailable, imageAsFloat, IMAGE_PIXELS, loadFashionMnist } from './dataset';
import { DatasetError } from './dataset-error';
import { idxBytes } from './test-support/idx-fixtures';

function writeSplit(dir: string, split: 'train' | 'test', images: Uint8Array, imageDims: number[], labels: number[], gz: boolean): void {
  const prefix = split === 'train' ? 'train' : 't10k';
  const put = (name: string, bytes: Uint8Array) => fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? zlib.gzipSync(bytes) : bytes);
  put(`${prefix}-images-idx3-ubyte`, idxBytes(imageDims, images));
  put(`${prefix}-labels-idx1-ubyte`, idxBytes([labels.length], labels));
}

describe('loadFashionMnist on synthetic files', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-ds-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads both layouts (gz and raw), applies the limit and scales pixels to [0, 1]', () => {
    const images = new Uint8Array(3 * IMAGE_PIXELS).map((_, i) => i % 256);
    writeSplit(dir, 'train', images, [3, 28, 28], [4, 0, 9], true);
    writeSplit(dir, 'test', images.subarray(0, IMAGE_PIXELS), [1, 28, 28], [7], false);
    expect(fashionMnistAvailable(dir)).toBe(true);
    const train = loadFashionMnist('train', { dir, limit: 2 });
    expect(train.count).toBe(2);
    expect(Array.from(train.labels)).toEqual([4, 0]);
    expect(train.images.length).toBe(2 * IMAGE_PIXELS);
    const test = loadFashionMnist('test', { dir });
    expect(Array.from(test.labels)).toEqual([7]);
    const x = imageAsFloat(train, 1);
    expect(x[0]).toBeCloseTo((IMAGE_PIXELS % 256) / 255, 6);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(() => imageAsFloat(train, 2)).toThrow(RangeError);
  });

  it('reports missing files, count mismatches, wrong image sizes and bad labels as typed errors', () => {
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DatasetError);
        return (e as DatasetError).code;
      }
      return 'none';
    };
    expect(fashionMnistAvailable(dir)).toBe(false);
    expect(codeOf(() => loadFashionMnist('train', { dir }))).toBe('DATASET_NOT_FOUND');
    writeSplit(dir, 'train', new Uint8Array(2 * IMAGE_PIXELS), [2, 28, 28], [1, 2, 3], false);
    expect(codeOf(() => loadFashionMnist('train', { dir }))).toBe('DATASET_MISMATCH');
    writeSplit(dir, 'train', new Uint8Array(2 * 32 * 32), [2, 32, 32], [1, 2], false);
    expect(codeOf(() => loadFashionMnist('train', { dir }))).toBe('DATASET_MALFORMED');
    writeSplit(dir, 'train', new Uint8Array(2 * IMAGE_PIXELS), [2, 28, 28], [1, 10], false);
    expect(codeOf(() => loadFashionMnist('train', { dir }))).toBe('DATASET_MALFORMED');
  });
});

const haveData = fashionMnistAvailable();
if (!haveData) console.warn('Fashion-MNIST not found (install dataset-fashion-mnist or set FASHION_MNIST_DIR): real-data tests skipped');
const describeReal = haveData ? describe : describe.skip;

describeReal('loadFashionMnist on the installed dataset', () => {
  it('has 10,000 test images, 1,000 per class, and 60,000 training images', () => {
    const test = loadFashionMnist('test');
    expect(test.count).toBe(10000);
    const perClass = new Array(10).fill(0);
    test.labels.forEach((l) => perClass[l]++);
    expect(perClass).toEqual(new Array(10).fill(1000));
    expect(loadFashionMnist('train').count).toBe(60000);
  });
});
