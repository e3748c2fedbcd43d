/**
 * `tinyforge validate` on the Fashion-MNIST demo model (quantized here from its IDX files): the float and ref
 * columns agree with the quantizer's own measurement of the same samples, the host C build's outputs equal the
 * reference byte for byte, and --json prints one JSON document.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { quantizeFile } from '@tinyforge/quantizer';
import { cliCapture } from '../test-support/cli-capture';
import { ValidateReport } from '../validate/run-validate';

const DATA = '/usr/share/datasets/fashion-mnist';
const FLOAT = path.resolve(__dirname, '../../../../examples/fashion-mnist/fashion_mnist_cnn.onnx');
const ready = fs.existsSync(path.join(DATA, 't10k-images-idx3-ubyte.gz')) && fs.existsSync(FLOAT);
if (!ready) console.warn(`validate tests skipped: need ${DATA} (Debian's dataset-fashion-mnist)`);
const d = ready ? describe : describe.skip;
jest.setTimeout(600_000);

d('tinyforge validate (Fashion-MNIST demo)', () => {
  const images = path.join(DATA, 't10k-images-idx3-ubyte.gz');
  const labels = path.join(DATA, 't10k-labels-idx1-ubyte.gz');
  let dir: string;
  let int8: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    int8 = path.join(dir, 'fm_int8.tflite');
    quantizeFile({ model: FLOAT, calib: path.join(DATA, 'train-images-idx3-ubyte.gz'), samples: 32, output: int8 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts float, ref and host side by side; host equals ref byte for byte; --json is one document', async () => {
    const html = path.join(dir, 'v.html');
    const r = await cliCapture('validate', int8, '--float', FLOAT, '--data', images, '--labels', labels, '--engine', 'ref,host', '--samples', '20', '--json', '--html', html);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as ValidateReport;
    expect(report.samples).toBe(20);
    expect(report.columns.map((c) => c.engine)).toEqual(['float', 'ref', 'host']);
    const [float, ref, host] = report.columns;
    expect(host.vsReference).toEqual({ samples: 0, bytes: 0 });
    expect(host.accuracy).toBe(ref.accuracy);
    expect(host.vsFloat).toEqual(ref.vsFloat);
    expect(report.warnings.join()).toMatch(/pixel values \/ 255/);
    expect(float.accuracy).toBeGreaterThan(0.7);
    expect(ref.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(20);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toMatch(/<svg[^>]*aria-label="ref: accuracy/);
  });

  it('agrees with the quantizer on accuracy and top-1 agreement', async () => {
    const r = await cliCapture('validate', int8, '--float', FLOAT, '--data', images, '--labels', labels, '--samples', '50', '--json');
    const report = JSON.parse(r.out) as ValidateReport;
    // The quantizer's report on the same 50 test images (its --eval with labels).
    const evalFile = path.join(dir, 'eval-images-idx3-ubyte');
    const evalLabels = path.join(dir, 'eval-labels-idx1-ubyte');
    writeIdxPrefix(images, evalFile, 50, 16, 784);
    writeIdxPrefix(labels, evalLabels, 50, 8, 1);
    const q = quantizeFile({ model: FLOAT, calib: path.join(DATA, 'train-images-idx3-ubyte.gz'), samples: 32, output: path.join(dir, 'again.tflite'), eval: evalFile, labels: evalLabels });
    const [float, ref] = report.columns;
    expect(float.accuracy).toBeCloseTo(q.report.accuracy!.float, 12);
    expect(ref.accuracy).toBeCloseTo(q.report.accuracy!.int8, 12);
    expect(ref.vsFloat!.top1Agreement).toBeCloseTo(q.report.top1Agreement!, 12);
  });

  it('refuses an engine list it does not know and the board engine without a board', async () => {
    expect((await cliCapture('validate', int8, '--data', images, '--engine', 'ref,gpu')).code).toBe(2);
    expect((await cliCapture('validate', int8, '--data', images, '--engine', 'board')).code).toBe(2);
  });
});

/** The first `count` items of an IDX file (header `headerBytes`, `itemBytes` each), uncompressed. */
function writeIdxPrefix(from: string, to: string, count: number, headerBytes: number, itemBytes: number): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const raw: Buffer = require('zlib').gunzipSync(fs.readFileSync(from));
  const head = Buffer.from(raw.subarray(0, headerBytes));
  head.writeUInt32BE(count, 4);
  fs.writeFileSync(to, Buffer.concat([head, raw.subarray(headerBytes, headerBytes + count * itemBytes)]));
}
