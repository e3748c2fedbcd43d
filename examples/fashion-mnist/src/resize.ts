import { FashionMnist, imageAsFloat, IMAGE_HEIGHT, IMAGE_PIXELS, IMAGE_WIDTH } from './dataset';

/**
 * Image `index` adapted to another model's input: bilinear resize to height × width (half-pixel centres, edges
 * clamped, like TF's resize_bilinear with half_pixel_centers), the grey value replicated into `channels`, NHWC
 * float32 in [0, 1]. For feeding Fashion-MNIST to image models with other input shapes (e.g. 96×96×3, 32×32×3).
 */
export function imageResized(data: FashionMnist, index: number, height: number, width: number, channels: number): Float32Array {
  for (const [name, v] of [['height', height], ['width', width], ['channels', channels]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 4096) throw new RangeError(`${name} must be an integer in 1..4096, got ${v}`);
  }
  const grey = imageAsFloat(data, index, new Float32Array(IMAGE_PIXELS));
  const out = new Float32Array(height * width * channels);
  const scaleY = IMAGE_HEIGHT / height;
  const scaleX = IMAGE_WIDTH / width;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(IMAGE_HEIGHT - 1, Math.max(0, (y + 0.5) * scaleY - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(IMAGE_HEIGHT - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(IMAGE_WIDTH - 1, Math.max(0, (x + 0.5) * scaleX - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(IMAGE_WIDTH - 1, x0 + 1);
      const fx = sx - x0;
      const top = grey[y0 * IMAGE_WIDTH + x0] * (1 - fx) + grey[y0 * IMAGE_WIDTH + x1] * fx;
      const bottom = grey[y1 * IMAGE_WIDTH + x0] * (1 - fx) + grey[y1 * IMAGE_WIDTH + x1] * fx;
      const v = top * (1 - fy) + bottom * fy;
      out.fill(v, (y * width + x) * channels, (y * width + x + 1) * channels);
    }
  }
  return out;
}
