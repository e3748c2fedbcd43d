/**
 * One-input int8 → int8 functions as 256-entry tables (tfg_lut_s8): logistic, tanh, hard-swish, the ReLU family,
 * leaky ReLU, clip, and Quantize from int8 to int8 (requantization). The table is the reference interpreter's
 * output for all 256 inputs, so the kernel is exactly TFLite's integer arithmetic, one load per element.
 */
import { GraphBuilder } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { blobOf } from './c-text';
import { CallBase, LoweringContext, QuantTensor, defineFamily } from './family';
import { elementCount } from './lowering';

export interface LutCall extends CallBase {
  kernel: 'tfg_lut_s8';
  size: number;
  /** table[q + 128] is the output for input q. */
  table: Int8Array;
}

function lookupTable(ctx: LoweringContext, x: QuantTensor, y: QuantTensor): Int8Array {
  const { node } = ctx;
  const b = new GraphBuilder('lut');
  const xin = b.input({ name: 'x', shape: [256], dtype: 'int8', quant: x.quant });
  const out = b.node(node.op, node.attrs as never, [xin], { name: node.name, dtype: 'int8', quant: y.quant });
  const all = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  try {
    const r = new Interpreter(b.output(out).build()).run([new Uint8Array(all.buffer)]);
    return new Int8Array(r.outputs[0].buffer, r.outputs[0].byteOffset, 256).slice();
  } catch (e) {
    return ctx.fail('KERNEL_BAD_QUANTIZATION', `${node.op} has no int8 kernel for these parameters: ${(e as Error).message}`);
  }
}

export const lutFamily = defineFamily<LutCall>({
  name: 'lut',
  ops: ['Logistic', 'Tanh', 'HardSwish', 'Relu', 'Relu6', 'LeakyRelu', 'Clip', 'Quantize'],
  // Quantize only from int8 (a requantization); from float32 it is the quantize family's.
  takes: (graph, node) => node.op !== 'Quantize' || graph.tensors[node.inputs[0]].dtype === 'int8',
  kernels: { tfg_lut_s8: 10 },
  lower(ctx) {
    const { node } = ctx;
    const x = ctx.activation(node.inputs[0]);
    const y = ctx.activation(node.outputs[0]);
    return { kernel: 'tfg_lut_s8', node: node.name, output: node.outputs[0], inputs: [node.inputs[0]], size: elementCount(x.shape), table: lookupTable(ctx, x, y) };
  },
  emit(c, out) {
    const table = out.constant('table', 'int8_t', c.table, `${c.node}: output for each input value + 128`);
    out.line(`return tfg_lut_s8(${table}, ${c.size}, ${out.at(c.inputs[0])}, ${out.at(c.output)});`);
  },
  vector: (c, inputs) => ({ ints: [c.size], blobs: [blobOf(inputs[0]), blobOf(c.table)] }),
});
