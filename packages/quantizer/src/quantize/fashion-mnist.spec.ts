import * as fs from 'fs';
import { DEMO_MODEL, fashionMnistPresent } from '../test-support/fashion-mnist';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOutsideJest } = require('../../../../tools/testing/run-outside-jest') as { runOutsideJest: <T>(module: string, name: string, args: unknown[]) => T };

/**
 * Test images checked here; the benchmark (`npm run bench -- quantize`) checks the acceptance figure itself, within
 * 0.5 points on all 10 000. On 500 images: float 91.60 %, int8 91.40 %. The interpreter runs in a Node process of
 * its own (run-outside-jest): inside jest's vm context the same loops take about 2.5 times as long.
 */
const TEST_IMAGES = 300;

const ready = fs.existsSync(DEMO_MODEL) && fashionMnistPresent();
if (!ready) console.warn(`Fashion-MNIST acceptance skipped: needs ${DEMO_MODEL} (examples/fashion-mnist) and the dataset-fashion-mnist files`);

(ready ? describe : describe.skip)('Fashion-MNIST demo model', () => {
  it(`int8 (200 training images, default calibration) is within 1 point (3 images) of float on ${TEST_IMAGES} test images`, () => {
    const { float: floatAcc, int8: int8Acc } = runOutsideJest<{ float: number; int8: number }>(require.resolve('../test-support/fashion-mnist-accuracy'), 'fashionMnistAccuracy', [200, TEST_IMAGES]);
    console.log(`Fashion-MNIST, ${TEST_IMAGES} test images: float ${(100 * floatAcc).toFixed(2)} %, int8 ${(100 * int8Acc).toFixed(2)} %`);
    expect(floatAcc).toBeGreaterThanOrEqual(0.88); // ≥ 90 % on all 10k is checked by examples/fashion-mnist; a subset varies
    expect(Math.abs(floatAcc - int8Acc)).toBeLessThanOrEqual(0.01);
  }, 300_000);
});
