import { FashionMnist, IMAGE_PIXELS } from './dataset';
import { imageResized } from './resize';

function oneImage(pixel: (y: number, x: number) => number): FashionMnist {
  const images = new Uint8Array(IMAGE_PIXELS);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) images[y * 28 + x] = pixel(y, x);
  return { split: 'test', count: 1, images, labels: new Uint8Array([0]) };
}

describe('imageResized', () => {
  it('is the identity at 28×28×1', () => {
    const data = oneImage((y, x) => (y * 28 + x) % 256);
    const out = imageResized(data, 0, 28, 28, 1);
    out.forEach((v, i) => expect(v).toBeCloseTo((i % 256) / 255, 6));
  });

  it('keeps a constant image constant and replicates the value into every channel', () => {
    const out = imageResized(oneImage(() => 51), 0, 96, 96, 3);
    expect(out.length).toBe(96 * 96 * 3);
    out.forEach((v) => expect(v).toBeCloseTo(0.2, 6));
  });

  it('interpolates linearly between pixel centres (a horizontal ramp stays a ramp)', () => {
    // Ramp 0, 9, 18, … along x. Downscaling by 2: output x samples source x = 2x + 0.5, value 9·(2x + 0.5).
    const out = imageResized(oneImage((_, x) => 9 * x), 0, 14, 14, 1);
    for (let x = 0; x < 14; x++) expect(out[3 * 14 + x]).toBeCloseTo((9 * (2 * x + 0.5)) / 255, 5);
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => imageResized(oneImage(() => 0), 0, 0, 32, 3)).toThrow(RangeError);
    expect(() => imageResized(oneImage(() => 0), 0, 32, 32.5, 3)).toThrow(RangeError);
  });
});
