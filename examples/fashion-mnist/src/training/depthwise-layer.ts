import { maskByRelu } from './gemm';
import { Layer, makeParam, Param, Shape3, size } from './layer';

/**
 * DepthwiseConv2D, depth multiplier 1, stride 1, 'same' padding, odd square kernel, optional fused ReLU.
 * Weights [1, k, k, C] (TFLite layout). Taps are the outer loops and channels the inner one, so memory is read
 * contiguously and each channel's sum runs over the taps in (ky, kx) order, as in the reference interpreter.
 */
export class DepthwiseLayer implements Layer {
  readonly outShape: Shape3;
  readonly weight: Param;
  readonly bias: Param;
  readonly params: Param[];
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private readonly acc: Float64Array;
  private input: Float32Array = new Float32Array(0);

  constructor(
    readonly name: string,
    readonly inShape: Shape3,
    readonly kernel: number,
    readonly relu: boolean,
  ) {
    if (kernel % 2 !== 1) throw new RangeError(`${name}: only odd kernels keep 'same' padding symmetric`);
    this.outShape = { ...inShape };
    this.weight = makeParam(`${name}/weights`, [1, kernel, kernel, inShape.c], kernel * kernel);
    this.bias = makeParam(`${name}/bias`, [inShape.c]);
    this.params = [this.weight, this.bias];
    this.y = new Float32Array(size(inShape));
    this.dx = new Float32Array(size(inShape));
    this.acc = new Float64Array(inShape.c);
  }

  forward(x: Float32Array): Float32Array {
    this.input = x;
    const { h, w, c } = this.inShape;
    const k = this.kernel;
    const pad = (k - 1) / 2;
    const wt = this.weight.value;
    const b = this.bias.value;
    const acc = this.acc;
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < k; ky++) {
          const iy = oy + ky - pad;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox + kx - pad;
            if (ix < 0 || ix >= w) continue;
            const xi = (iy * w + ix) * c;
            const wi = (ky * k + kx) * c;
            for (let ch = 0; ch < c; ch++) acc[ch] += x[xi + ch] * wt[wi + ch];
          }
        }
        const o = (oy * w + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const v = Math.fround(acc[ch]) + b[ch];
          this.y[o + ch] = this.relu && v < 0 ? 0 : v;
        }
      }
    }
    return this.y;
  }

  backward(dy: Float32Array, needInputGrad: boolean): Float32Array | undefined {
    if (this.relu) maskByRelu(dy, this.y);
    const { h, w, c } = this.inShape;
    const k = this.kernel;
    const pad = (k - 1) / 2;
    const x = this.input;
    const wt = this.weight.value;
    const dw = this.weight.grad;
    const db = this.bias.grad;
    const dx = this.dx;
    dx.fill(0);
    for (let oy = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++) {
        const o = (oy * w + ox) * c;
        for (let ch = 0; ch < c; ch++) db[ch] += dy[o + ch];
        for (let ky = 0; ky < k; ky++) {
          const iy = oy + ky - pad;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox + kx - pad;
            if (ix < 0 || ix >= w) continue;
            const xi = (iy * w + ix) * c;
            const wi = (ky * k + kx) * c;
            for (let ch = 0; ch < c; ch++) dw[wi + ch] += dy[o + ch] * x[xi + ch];
            if (needInputGrad) for (let ch = 0; ch < c; ch++) dx[xi + ch] += dy[o + ch] * wt[wi + ch];
          }
        }
      }
    }
    return needInputGrad ? dx : undefined;
  }
}
