#!/usr/bin/env node
// Write Fashion-MNIST samples as .npy files for `npx quantize --calib … --labels …` and the demo.
// Usage: node examples/fashion-mnist/dist/export-npy-main.js --split train --first 0 --count 200 --out-dir DIR
//   → DIR/fashion_mnist_<split>_<first>_<count>_images.npy (float32 [N, 28, 28, 1]) and …_labels.npy (uint8 [N])
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '@tinyforge/common';
import { loadFashionMnist, Split } from './dataset';
import { splitToNpy } from './npy';

function main(): void {
  const { values } = parseArgs({
    options: {
      split: { type: 'string', default: 'train' },
      first: { type: 'string', default: '0' },
      count: { type: 'string', default: '200' },
      'out-dir': { type: 'string', default: '.' },
    },
  });
  if (values.split !== 'train' && values.split !== 'test') throw new RangeError(`--split must be train or test, got '${values.split}'`);
  const split: Split = values.split;
  const first = Number(values.first);
  const count = Number(values.count);
  const { images, labels } = splitToNpy(loadFashionMnist(split), first, count);
  fs.mkdirSync(values['out-dir'], { recursive: true });
  const stem = path.join(values['out-dir'], `fashion_mnist_${split}_${first}_${count}`);
  writeFileAtomic(`${stem}_images.npy`, images);
  writeFileAtomic(`${stem}_labels.npy`, labels);
  console.log(`wrote ${stem}_images.npy and ${stem}_labels.npy`);
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exitCode = 1;
}
