import { floatActivationRange, quantizedActivationRange, Range } from '../quant-params';
import { Evaluate, KernelContext } from './context';
import { windowGeometry } from './geometry';

type PoolOp = 'AveragePool2D' | 'MaxPool2D';
export type PoolKind = 'average' | 'max';

/**
 * AVERAGE_POOL_2D and MAX_POOL_2D. Windows are clipped to the image (padding never counts). Float: averages in
 * float32.
 */
export const floatPool2D =
  (kind: PoolKind) =>
  (ctx: KernelContext<PoolOp>): Evaluate => {
    const activation = ctx.node.attrs.activation;
    const range = floatActivationRange(activation) ?? ctx.unsupported(`fused ${activation} is not supported`);
    return poolLoop(ctx, kind === 'average', true, range);
  };

/**
 * Int8 and int16 averages round half away from zero like TFLM's reference; input and output share one scale, so no
 * requantization.
 */
export const quantizedPool2D =
  (kind: PoolKind) =>
  (ctx: KernelContext<PoolOp>): Evaluate => {
    const activation = ctx.node.attrs.activation;
    const inQ = ctx.quant(ctx.tensor(0));
    const outQ = ctx.quant(ctx.output);
    if (ctx.output.dtype !== ctx.tensor(0).dtype) ctx.unsupported(`no ${ctx.tensor(0).dtype} → ${ctx.output.dtype} kernel`);
    if (inQ.scale !== outQ.scale || inQ.zeroPoint !== outQ.zeroPoint) ctx.unsupported('quantized pooling needs the same scale and zero point in and out');
    const range = quantizedActivationRange(activation, ctx.output.dtype, outQ.scale, outQ.zeroPoint) ?? ctx.unsupported(`fused ${activation} is not supported`);
    return poolLoop(ctx, kind === 'average', false, range);
  };

function poolLoop(ctx: KernelContext<PoolOp>, isAverage: boolean, isFloat: boolean, range: Range): Evaluate {
  const x = ctx.tensor(0);
  const a = ctx.node.attrs;
  const g = windowGeometry(x.shape, a.filterH, a.filterW, x.shape[3], a);
  const { min, max } = range;
  const input = ctx.input<Float32Array | Int8Array | Int16Array>(0);
  const output = ctx.outputArray<Float32Array | Int8Array | Int16Array>();
  const C = g.inC;
  return () => {
    let o = 0;
    for (let b = 0; b < g.batch; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const y0 = oy * g.strideH - g.padTop;
        const yStart = Math.max(0, y0);
        const yEnd = Math.min(g.inH, y0 + g.filterH);
        for (let ox = 0; ox < g.outW; ox++) {
          const x0 = ox * g.strideW - g.padLeft;
          const xStart = Math.max(0, x0);
          const xEnd = Math.min(g.inW, x0 + g.filterW);
          const count = (yEnd - yStart) * (xEnd - xStart);
          for (let c = 0; c < C; c++) {
            let acc = isAverage ? 0 : -Infinity;
            for (let iy = yStart; iy < yEnd; iy++) {
              for (let ix = xStart; ix < xEnd; ix++) {
                const v = input[((b * g.inH + iy) * g.inW + ix) * C + c];
                if (isAverage) acc += v;
                else if (v > acc) acc = v;
              }
            }
            let v: number;
            if (!isAverage) v = acc;
            else if (isFloat) v = Math.fround(acc) / count;
            else v = acc > 0 ? Math.trunc((acc + (count >> 1)) / count) : Math.trunc((acc - (count >> 1)) / count);
            output[o++] = v < min ? min : v > max ? max : v;
          }
        }
      }
    }
  };
}
