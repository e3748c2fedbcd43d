import { Padding } from './ops/op-def';

export interface AxisPadding {
  out: number;
  /** Padding before (top/left) and after (bottom/right), in input elements. */
  before: number;
  after: number;
}

/** Output size and padding along one spatial axis, exactly as TFLite computes them for SAME/VALID. */
export function padAxis(
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
  padding: Padding,
  axis: 'h' | 'w',
): AxisPadding {
  const effective = (filter - 1) * dilation + 1;
  if (padding === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + effective - inSize, 0);
    return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
  }
  if (padding === 'valid') {
    return { out: Math.floor((inSize - effective) / stride) + 1, before: 0, after: 0 };
  }
  const before = axis === 'h' ? padding.top : padding.left;
  const after = axis === 'h' ? padding.bottom : padding.right;
  return { out: Math.floor((inSize + before + after - effective) / stride) + 1, before, after };
}

/** The explicit form of any padding for a given input. */
export function explicitPadding(
  inH: number,
  inW: number,
  filterH: number,
  filterW: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padding: Padding,
): { top: number; bottom: number; left: number; right: number; outH: number; outW: number } {
  const h = padAxis(inH, filterH, strideH, dilationH, padding, 'h');
  const w = padAxis(inW, filterW, strideW, dilationW, padding, 'w');
  return { top: h.before, bottom: h.after, left: w.before, right: w.after, outH: h.out, outW: w.out };
}

/**
 * The TFLite padding keyword equivalent to explicit pads for this geometry, or undefined when only explicit
 * pads describe it (e.g. ONNX's SAME_LOWER or arbitrary asymmetric pads).
 */
export function asTfliteKeyword(
  inH: number,
  inW: number,
  filterH: number,
  filterW: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padding: Padding,
): 'same' | 'valid' | undefined {
  if (typeof padding === 'string') return padding;
  const eq = (p: Padding): boolean => {
    const e = explicitPadding(inH, inW, filterH, filterW, strideH, strideW, dilationH, dilationW, p);
    return e.top === padding.top && e.bottom === padding.bottom && e.left === padding.left && e.right === padding.right;
  };
  if (padding.top === 0 && padding.bottom === 0 && padding.left === 0 && padding.right === 0) {
    // Zero pads equal VALID only when VALID computes the same output size (it always does: both floor).
    return 'valid';
  }
  if (eq('same')) return 'same';
  return undefined;
}
