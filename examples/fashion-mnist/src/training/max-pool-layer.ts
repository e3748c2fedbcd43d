import { Layer, Param, Shape3, size } from './layer';

/** MaxPool2D, size×size window, stride = size, 'valid' padding (a trailing odd row/column is dropped, as in TFLite). */
export class MaxPoolLayer implements Layer {
  readonly outShape: Shape3;
  readonly params: Param[] = [];
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  /** For each output element, the input index of the maximum (the first one on ties). */
  private readonly argmax: Int32Array;

  constructor(
    readonly name: string,
    readonly inShape: Shape3,
    readonly poolSize: number,
  ) {
    this.outShape = { h: Math.floor(inShape.h / poolSize), w: Math.floor(inShape.w / poolSize), c: inShape.c };
    this.y = new Float32Array(size(this.outShape));
    this.argmax = new Int32Array(size(this.outShape));
    this.dx = new Float32Array(size(inShape));
  }

  forward(x: Float32Array): Float32Array {
    const { w: inW, c } = this.inShape;
    const { h, w } = this.outShape;
    const s = this.poolSize;
    const y = this.y;
    const argmax = this.argmax;
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        const o = (oy * w + ox) * c;
        // Channels innermost: the window's pixels are read as contiguous runs of c values.
        for (let ky = 0; ky < s; ky++) {
          for (let kx = 0; kx < s; kx++) {
            const base = ((oy * s + ky) * inW + ox * s + kx) * c;
            const first = ky === 0 && kx === 0;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (first || v > y[o + ch]) {
                y[o + ch] = v;
                argmax[o + ch] = base + ch;
              }
            }
          }
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, needInputGrad: boolean): Float32Array | undefined {
    if (!needInputGrad) return undefined;
    this.dx.fill(0);
    for (let o = 0; o < dy.length; o++) this.dx[this.argmax[o]] += dy[o];
    return this.dx;
  }
}
