import { QuantizerError } from '../errors';
import { Image } from './png';

export interface ImagePreprocess {
  /** Target height and width (default: the model input's). */
  height: number;
  width: number;
  /** Channels the model wants (1 or 3); gray is replicated, colour averaged, alpha dropped. */
  channels: number;
  /** value = (pixel / 255 − mean[c]) / std[c]; one entry applies to every channel. */
  mean: number[];
  std: number[];
}

/** An 8-bit image as the float HWC tensor a model input wants: channel conversion, bilinear resize, normalization. */
export function imageToTensor(image: Image, p: ImagePreprocess, file?: string): Float32Array {
  if (p.channels !== 1 && p.channels !== 3) throw new QuantizerError('QUANT_OPTIONS', `--channels must be 1 or 3, got ${p.channels}`);
  const colour = image.channels >= 3;
  const at = (x: number, y: number, c: number): number => {
    const o = (y * image.width + x) * image.channels;
    if (p.channels === 3) return image.pixels[o + (colour ? c : 0)];
    return colour ? (image.pixels[o] + image.pixels[o + 1] + image.pixels[o + 2]) / 3 : image.pixels[o];
  };
  const out = new Float32Array(p.height * p.width * p.channels);
  const sy = image.height / p.height;
  const sx = image.width / p.width;
  for (let y = 0; y < p.height; y++) {
    const fy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(image.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < p.width; x++) {
      const fx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(image.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < p.channels; c++) {
        const v = (1 - wy) * ((1 - wx) * at(x0, y0, c) + wx * at(x1, y0, c)) + wy * ((1 - wx) * at(x0, y1, c) + wx * at(x1, y1, c));
        const mean = p.mean.length > 1 ? p.mean[c] : p.mean[0];
        const std = p.std.length > 1 ? p.std[c] : p.std[0];
        if (!(std !== 0)) throw new QuantizerError('QUANT_OPTIONS', '--std must not be 0', { file });
        out[(y * p.width + x) * p.channels + c] = (v / 255 - mean) / std;
      }
    }
  }
  return out;
}
