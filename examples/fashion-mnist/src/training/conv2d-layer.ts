import { accumulateWeightGrad, forwardLinear, inputGrad, maskByRelu } from './gemm';
import { Layer, makeParam, Param, Shape3, size } from './layer';

/**
 * Conv2D, stride 1, TFLite 'same' padding, odd square kernel, optional fused ReLU. Weights OHWI [Co, k, k, Ci].
 * Implemented as im2col + a linear layer (a 1×1 kernel needs no im2col: the input already is the column matrix).
 */
export class Conv2DLayer implements Layer {
  readonly outShape: Shape3;
  readonly weight: Param;
  readonly bias: Param;
  readonly params: Param[];
  private readonly cols: Float32Array;
  private readonly dcols: Float32Array;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private input: Float32Array = new Float32Array(0);

  constructor(
    readonly name: string,
    readonly inShape: Shape3,
    readonly kernel: number,
    outChannels: number,
    readonly relu: boolean,
  ) {
    if (kernel % 2 !== 1) throw new RangeError(`${name}: only odd kernels keep 'same' padding symmetric`);
    this.outShape = { h: inShape.h, w: inShape.w, c: outChannels };
    this.weight = makeParam(`${name}/weights`, [outChannels, kernel, kernel, inShape.c], kernel * kernel * inShape.c);
    this.bias = makeParam(`${name}/bias`, [outChannels]);
    this.params = [this.weight, this.bias];
    const pixels = inShape.h * inShape.w;
    const colLength = kernel === 1 ? 0 : pixels * this.columnSize();
    this.cols = new Float32Array(colLength);
    this.dcols = new Float32Array(colLength);
    this.y = new Float32Array(size(this.outShape));
    this.dx = new Float32Array(size(inShape));
  }

  private columnSize(): number {
    return this.kernel * this.kernel * this.inShape.c;
  }

  forward(x: Float32Array): Float32Array {
    this.input = x;
    const cols = this.kernel === 1 ? x : this.im2col(x);
    forwardLinear(cols, this.weight.value, this.bias.value, this.y, this.inShape.h * this.inShape.w, this.outShape.c, this.columnSize(), this.relu);
    return this.y;
  }

  backward(dy: Float32Array, needInputGrad: boolean): Float32Array | undefined {
    if (this.relu) maskByRelu(dy, this.y);
    const m = this.inShape.h * this.inShape.w;
    const k = this.columnSize();
    const cols = this.kernel === 1 ? this.input : this.cols;
    accumulateWeightGrad(dy, cols, this.weight.grad, this.bias.grad, m, this.outShape.c, k);
    if (!needInputGrad) return undefined;
    if (this.kernel === 1) {
      inputGrad(dy, this.weight.value, this.dx, m, this.outShape.c, k);
      return this.dx;
    }
    inputGrad(dy, this.weight.value, this.dcols, m, this.outShape.c, k);
    this.col2im(this.dcols);
    return this.dx;
  }

  /** Row (oy, ox) holds the k×k×Ci window around the pixel, zeros outside the image; order (ky, kx, ci) = OHWI. */
  private im2col(x: Float32Array): Float32Array {
    const { h, w, c } = this.inShape;
    const k = this.kernel;
    const pad = (k - 1) / 2;
    const cols = this.cols;
    let o = 0;
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = oy + ky - pad;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox + kx - pad;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              for (let ci = 0; ci < c; ci++) cols[o + ci] = 0;
            } else {
              const base = (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) cols[o + ci] = x[base + ci];
            }
            o += c;
          }
        }
      }
    }
    return cols;
  }

  /** The adjoint of im2col: each column entry's gradient goes back to the pixel it was copied from. */
  private col2im(dcols: Float32Array): void {
    const { h, w, c } = this.inShape;
    const k = this.kernel;
    const pad = (k - 1) / 2;
    const dx = this.dx;
    dx.fill(0);
    let o = 0;
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = oy + ky - pad;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox + kx - pad;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              const base = (iy * w + ix) * c;
              for (let ci = 0; ci < c; ci++) dx[base + ci] += dcols[o + ci];
            }
            o += c;
          }
        }
      }
    }
  }
}
