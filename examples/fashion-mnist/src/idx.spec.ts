import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DatasetError } from './dataset-error';
import { parseIdx, readIdxFile } from './idx';
import { idxBytes } from './test-support/idx-fixtures';

function expectDatasetError(fn: () => unknown, code: string, offset?: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).code).toBe(code);
    if (offset !== undefined) expect((e as DatasetError).location.offset).toBe(offset);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('parseIdx', () => {
  it('reads dimensions big-endian and returns the data after the header', () => {
    const a = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(a.dims).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // Dimensions above 255 need all four bytes.
    expect(parseIdx(idxBytes([300], new Array(300).fill(7))).dims).toEqual([300]);
  });

  it('rejects malformed headers with the byte offset of the problem', () => {
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 8])), 'DATASET_MALFORMED', 0);
    expectDatasetError(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0])), 'DATASET_MALFORMED', 0);
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0])), 'DATASET_MALFORMED', 2); // float32 IDX
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 8, 0])), 'DATASET_MALFORMED', 3);
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 8, 9])), 'DATASET_MALFORMED', 3);
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1])), 'DATASET_MALFORMED', 4);
  });

  it('rejects data that is shorter or longer than the dimensions say', () => {
    const short = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, 15);
    expectDatasetError(() => parseIdx(short), 'DATASET_MALFORMED', 12);
    const long = new Uint8Array([...idxBytes([2], [1, 2]), 9]);
    expectDatasetError(() => parseIdx(long), 'DATASET_MALFORMED', 8);
  });

  it('refuses headers that ask for more than the limit before allocating anything', () => {
    const huge = new Uint8Array([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2]);
    expectDatasetError(() => parseIdx(huge), 'DATASET_LIMIT', 4);
    expectDatasetError(() => parseIdx(idxBytes([10], new Array(10).fill(0)), 'f', 9), 'DATASET_LIMIT');
  });
});

describe('readIdxFile', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-idx-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads raw and gzip-compressed files to the same array', () => {
    const bytes = idxBytes([2, 2], [10, 20, 30, 40]);
    fs.writeFileSync(path.join(dir, 'a'), bytes);
    fs.writeFileSync(path.join(dir, 'a.gz'), zlib.gzipSync(bytes));
    const raw = readIdxFile(path.join(dir, 'a'));
    const gz = readIdxFile(path.join(dir, 'a.gz'));
    expect(gz.dims).toEqual(raw.dims);
    expect(Array.from(gz.data)).toEqual([10, 20, 30, 40]);
  });

  it('names the file in typed errors: missing, corrupt gzip, gzip larger than the limit', () => {
    expectDatasetError(() => readIdxFile(path.join(dir, 'missing')), 'DATASET_NOT_FOUND');
    const corrupt = zlib.gzipSync(idxBytes([4], [1, 2, 3, 4]));
    corrupt[corrupt.length - 6] ^= 0xff; // CRC no longer matches
    fs.writeFileSync(path.join(dir, 'corrupt.gz'), corrupt);
    expectDatasetError(() => readIdxFile(path.join(dir, 'corrupt.gz')), 'DATASET_MALFORMED');
    fs.writeFileSync(path.join(dir, 'bomb.gz'), zlib.gzipSync(new Uint8Array(1 << 20)));
    expectDatasetError(() => readIdxFile(path.join(dir, 'bomb.gz'), 1000), 'DATASET_LIMIT');
    try {
      readIdxFile(path.join(dir, 'corrupt.gz'));
    } catch (e) {
      expect((e as Error).message).toContain('corrupt.gz');
    }
  });
});
