/** Height, width, channels of one image's activation (NHWC without the batch dimension). */
export interface Shape3 {
  h: number;
  w: number;
  c: number;
}

/** A trainable tensor: float32 values (what the model file stores) and a double-precision gradient. */
export interface Param {
  name: string;
  shape: number[];
  value: Float32Array;
  grad: Float64Array;
  /** Inputs summed into each output (weights only; biases have none and start at zero). */
  fanIn?: number;
}

export function makeParam(name: string, shape: number[], fanIn?: number): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: new Float32Array(n), grad: new Float64Array(n), fanIn };
}

/**
 * One layer, run on one image at a time. `forward` keeps what `backward` needs, so calls alternate
 * forward/backward per image; `backward` adds to the parameter gradients and returns the input gradient
 * (undefined when `needInputGrad` is false, i.e. for the first layer).
 */
export interface Layer {
  readonly name: string;
  readonly inShape: Shape3;
  readonly outShape: Shape3;
  readonly params: Param[];
  forward(x: Float32Array): Float32Array;
  backward(dy: Float32Array, needInputGrad: boolean): Float32Array | undefined;
}

export function size(s: Shape3): number {
  return s.h * s.w * s.c;
}
