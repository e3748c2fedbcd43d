import { accumulateWeightGrad, forwardLinear, inputGrad, maskByRelu } from './gemm';
import { Layer, makeParam, Param, Shape3, size } from './layer';

/**
 * FullyConnected over the whole (flattened NHWC) input, weights [out, in], optional fused ReLU. Flattening NHWC in
 * memory order is what the IR's Reshape to [1, H·W·C] does, so the weights export unchanged.
 */
export class DenseLayer implements Layer {
  readonly outShape: Shape3;
  readonly weight: Param;
  readonly bias: Param;
  readonly params: Param[];
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private input: Float32Array = new Float32Array(0);

  constructor(
    readonly name: string,
    readonly inShape: Shape3,
    outputs: number,
    readonly relu: boolean,
  ) {
    this.outShape = { h: 1, w: 1, c: outputs };
    this.weight = makeParam(`${name}/weights`, [outputs, size(inShape)], size(inShape));
    this.bias = makeParam(`${name}/bias`, [outputs]);
    this.params = [this.weight, this.bias];
    this.y = new Float32Array(outputs);
    this.dx = new Float32Array(size(inShape));
  }

  forward(x: Float32Array): Float32Array {
    this.input = x;
    forwardLinear(x, this.weight.value, this.bias.value, this.y, 1, this.outShape.c, size(this.inShape), this.relu);
    return this.y;
  }

  backward(dy: Float32Array, needInputGrad: boolean): Float32Array | undefined {
    if (this.relu) maskByRelu(dy, this.y);
    const k = size(this.inShape);
    accumulateWeightGrad(dy, this.input, this.weight.grad, this.bias.grad, 1, this.outShape.c, k);
    if (!needInputGrad) return undefined;
    inputGrad(dy, this.weight.value, this.dx, 1, this.outShape.c, k);
    return this.dx;
  }
}
