import { Graph } from '@tinyforge/ir';
import { Sample } from './calibrate';

/** Beyond this magnitude float inputs are rarely what a model was trained on (raw 16-bit audio, unscaled sensors). */
const LARGE = 255;

interface Seen {
  min: number;
  max: number;
  integers: boolean;
}

function seen(samples: readonly Sample[], input: number): Seen {
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (const sample of samples) {
    const v = sample[input];
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x < min) min = x;
      if (x > max) max = x;
      if (integers && !Number.isInteger(x)) integers = false;
    }
  }
  return { min, max, integers };
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(3));

/**
 * Warnings when calibration data looks far from what the model's inputs take; the quantizer calibrates on whatever
 * it is given, and ranges from the wrong scale ruin the int8 model without a word (8-bit 0–255 images for the demo
 * model, trained on [0, 1], give 10.5 dB). The model's own range is used where the model states one (a float input
 * with quantization parameters); otherwise data of whole numbers 0–255 is taken for unscaled 8-bit values, and
 * values beyond ±255 for unnormalized ones — each warning says what was assumed.
 */
export function inputRangeWarnings(graph: Graph, samples: readonly Sample[]): string[] {
  if (samples.length === 0) return [];
  const warnings: string[] = [];
  graph.inputs.forEach((t, i) => {
    const tensor = graph.tensors[t];
    if (tensor.dtype !== 'float32') return;
    const s = seen(samples, i);
    const data = `calibration data for input '${tensor.name}' spans [${fmt(s.min)}, ${fmt(s.max)}]`;
    const q = tensor.quant;
    if (q !== undefined && q.scale.length === 1) {
      const lo = q.scale[0] * (-128 - q.zeroPoint[0]);
      const hi = q.scale[0] * (127 - q.zeroPoint[0]);
      const span = hi - lo;
      const outside = Math.max(lo - s.min, s.max - hi, 0);
      if (outside > 0.5 * span || (s.max - s.min) < span / 16) {
        warnings.push(`${data}, far from the [${fmt(lo)}, ${fmt(hi)}] the model states for it: scale the data to the model's input range`);
      }
      return;
    }
    if (s.integers && s.min >= 0 && s.max <= 255 && s.max > 1) {
      warnings.push(`${data}, whole numbers only: it looks like unscaled 8-bit data (0–255), fed to the float model as it is; models trained on images usually take [0, 1] or [-1, 1]: if this one does, scale the data (x / 255), or give a folder of PNG images with --mean/--std`);
    } else if (Math.max(Math.abs(s.min), Math.abs(s.max)) > LARGE) {
      warnings.push(`${data}: values this large are rarely what a float model was trained on (raw 16-bit audio, unscaled sensors?): if it takes normalized inputs, normalize the data first`);
    }
  });
  return warnings;
}

/**
 * What --calib (and --eval) accept, for `quantize --help`: the shapes, dtypes and layouts load-calibration reads.
 */
export const CALIBRATION_HELP = `
Calibration data (--calib PATH, also --eval PATH):
  FILE.npy   one array for a one-input model: shape (N, ...) with N samples, each with the input's shape less
             its batch axis (an input [1, 1, 28, 28] takes (N, 1, 28, 28)), or exactly one sample's shape (N = 1).
             dtypes: float32, float64, float16, int8/16/32/64, uint8/16/32, bool; C order, little-endian. Values are
             used as they are (no scaling): give them in the range the model was trained on.
  FILE.npz   one array per input named after the inputs (tinyforge inspect lists them), else the array 'x', else the
             first array not named y, label or labels; each as for .npy, all with the same N.
  FOLDER     PNG images (one-input image models, put in the input's layout; --resize, --channels, --mean, --std:
             value = (pixel/255 - mean)/std, default pixel/255 in [0, 1]), or raw little-endian float32 .bin files,
             one sample each, all inputs back to back. Files are read in name order.
  random     uniform [0, 1) samples (--samples, default 32): only to try the tool; the accuracy will be poor.
Layout: the input's own, as \`tinyforge inspect MODEL\` shows it (an ONNX image input is usually NCHW, a TFLite one
NHWC); --calib-layout nchw|nhwc converts 4-D arrays and .bin samples given in the other. A warning says so when the
data looks unscaled (whole numbers 0–255, or beyond ±255) or far from a range the model states for its input.`;
