import {
  AddCall,
  ConvCall,
  DepthwiseCall,
  Dims4,
  FullyConnectedCall,
  KernelCall,
  MulCall,
  PoolCall,
  SoftmaxCall,
} from '@tinyforge/kernels-cmsis';
import { CWriter } from './c-writer';
import { emitConcat, emitLut, emitMean, emitPad, emitQuantize, emitTranspose } from './layers-extra';
import { ConstVariant, WeightTable } from './weights';

/** Where a layer's tensors and scratch memory live, as C expressions. */
export interface LayerMemory {
  /** `arena + <offset>` for a tensor index. */
  at(tensor: number): string;
  /** Bytes and offset of the layer's scratch buffer, if it has one. */
  scratch?: { offset: number; size: number };
  /** True when a view's output already shares its input's bytes (no copy needed). */
  aliased: boolean;
}

const dims = (d: Dims4): string => `{${d.n}, ${d.h}, ${d.w}, ${d.c}}`;
const tile = (t: { h: number; w: number }): string => `{${t.w}, ${t.h}}`;
const clamp = (c: { min: number; max: number }): string => `{${c.min}, ${c.max}}`;

/**
 * The body of one layer function: constant parameter structs, a check that the planned scratch is at least what
 * the kernel asks for, and the kernel call. Weight arrays go to `weights` under names derived from `id`.
 */
export function emitLayerBody(w: CWriter, call: KernelCall, id: string, mem: LayerMemory, weights: WeightTable): void {
  const ctx = (sizeQuery: string | undefined): void => {
    if (mem.scratch === undefined) {
      w.line('static const tfg_context ctx = {0, 0};');
      return;
    }
    w.line(`const tfg_context ctx = {arena + ${mem.scratch.offset}, ${mem.scratch.size}};`);
    if (sizeQuery !== undefined) w.line(`if (${sizeQuery} > ctx.size) return TFG_ARG_ERROR;`);
  };
  switch (call.kernel) {
    case 'tfg_convolve_wrapper_s8':
    case 'tfg_depthwise_conv_s8':
      return emitConv(w, call, id, mem, weights, ctx);
    case 'tfg_fully_connected_s8':
    case 'tfg_fully_connected_per_channel_s8':
      return emitFullyConnected(w, call, id, mem, weights, ctx);
    case 'tfg_avgpool_s8':
    case 'tfg_maxpool_s8':
      return emitPool(w, call, mem, ctx);
    case 'tfg_elementwise_add_s8':
      return emitAdd(w, call, mem);
    case 'tfg_elementwise_mul_s8':
      return emitMul(w, call, mem);
    case 'tfg_softmax_s8':
      return emitSoftmax(w, call, mem);
    case 'tfg_lut_s8':
      return emitLut(w, call, id, mem, weights);
    case 'tfg_quantize_f32_s8':
    case 'tfg_dequantize_s8_f32':
      return emitQuantize(w, call, mem);
    case 'tfg_pad_s8':
      return emitPad(w, call, mem);
    case 'tfg_transpose_s8':
      return emitTranspose(w, call, mem);
    case 'tfg_concatenation_s8':
      return emitConcat(w, call, mem);
    case 'tfg_mean_s8':
      return emitMean(w, call, mem);
    case 'tfg_reshape_s8':
      if (mem.aliased) {
        w.comment('a view: the output shares the input bytes, nothing to move');
        w.line('(void)arena;');
        w.line('return TFG_OK;');
      } else {
        w.line(`return tfg_reshape_s8(${mem.at(call.inputs[0])}, ${mem.at(call.output)}, ${call.size});`);
      }
  }
}

function weightArrays(call: ConvCall | DepthwiseCall | FullyConnectedCall, id: string, weights: WeightTable, variant?: ConstVariant): { filter: string; bias: string; mult: string; shift: string } {
  const filter = weights.add(`${id}_filter`, 'int8_t', call.weights, `${call.node}: filter`, variant);
  const bias = call.bias ? weights.add(`${id}_bias`, 'int32_t', call.bias, `${call.node}: bias`, variant) : '0';
  const mult = weights.add(`${id}_multiplier`, 'int32_t', call.multipliers, `${call.node}: requantization multipliers (Q31)`, variant);
  const shift = weights.add(`${id}_shift`, 'int32_t', call.shifts, `${call.node}: requantization shifts`, variant);
  return { filter, bias, mult, shift };
}

function emitConv(
  w: CWriter,
  call: ConvCall | DepthwiseCall,
  id: string,
  mem: LayerMemory,
  weights: WeightTable,
  ctx: (q: string | undefined) => void,
): void {
  const isConv = call.kernel === 'tfg_convolve_wrapper_s8';
  const packed = isConv ? (call as ConvCall).packedFilter : undefined;
  const paramsType = isConv ? 'tfg_conv_params' : 'tfg_dw_conv_params';
  const mult = isConv ? '' : ` ${(call as DepthwiseCall).channelMultiplier},`;
  w.line(
    `static const ${paramsType} params = {${call.inputOffset}, ${call.outputOffset},${mult} ${tile(call.stride)}, ${tile(call.padding)}, ${tile(call.dilation)}, ${clamp(call.activation)}};`,
  );
  w.line(`static const tfg_dims input_dims = ${dims(call.input)};`);
  w.line(`static const tfg_dims filter_dims = ${dims(call.filter)};`);
  w.line(`static const tfg_dims output_dims = ${dims(call.outputDims)};`);
  if (packed !== undefined) {
    // Both builds from one source: DSP cores take the packed filter, every other core the int8 one.
    const filter = weights.add(`${id}_packed_filter`, 'int32_t', packed, `${call.node}: filter packed for tfg_convolve_packed_s8`, 'packed');
    w.line('#if TFG_NN_PACKED_CONV_PREFERRED');
    const query = 'tfg_convolve_packed_s8_get_buffer_size(&input_dims, &filter_dims)';
    ctx(query);
    if (mem.scratch === undefined) w.line(`if (${query} > 0) return TFG_ARG_ERROR;`);
    w.line(`return tfg_convolve_packed_s8(&ctx, &params, &input_dims, ${mem.at(call.inputs[0])}, &filter_dims, ${filter}, &output_dims, ${mem.at(call.output)});`);
    w.line('#else');
  }
  const a = weightArrays(call, id, weights, packed !== undefined ? 'int8' : undefined);
  w.line(`static const tfg_per_channel_quant_params quant = {${a.mult}, ${a.shift}};`);
  const query = isConv
    ? 'tfg_convolve_wrapper_s8_get_buffer_size(&params, &input_dims, &filter_dims)'
    : 'tfg_depthwise_conv_s8_get_buffer_size(&input_dims, &filter_dims)';
  ctx(query);
  if (mem.scratch === undefined) w.line(`if (${query} > 0) return TFG_ARG_ERROR;`);
  w.line(
    `return ${call.kernel}(&ctx, &params, &quant, &input_dims, ${mem.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${mem.at(call.output)});`,
  );
  if (packed !== undefined) w.line('#endif');
}

function emitFullyConnected(w: CWriter, call: FullyConnectedCall, id: string, mem: LayerMemory, weights: WeightTable, ctx: (q: string | undefined) => void): void {
  const a = weightArrays(call, id, weights);
  const perChannel = call.kernel === 'tfg_fully_connected_per_channel_s8';
  w.line(`static const tfg_fc_params params = {${call.inputOffset}, ${call.filterOffset}, ${call.outputOffset}, ${clamp(call.activation)}};`);
  if (perChannel) w.line(`static const tfg_per_channel_quant_params quant = {${a.mult}, ${a.shift}};`);
  else w.line(`static const tfg_per_tensor_quant_params quant = {${call.multipliers[0]}, ${call.shifts[0]}};`);
  w.line(`static const tfg_dims input_dims = {${call.batches}, 1, 1, ${call.depth}};`);
  w.line(`static const tfg_dims filter_dims = {${call.depth}, 1, 1, ${call.channels}};`);
  w.line(`static const tfg_dims output_dims = {${call.batches}, 1, 1, ${call.channels}};`);
  const query = 'tfg_fully_connected_s8_get_buffer_size(&filter_dims)';
  ctx(query);
  if (mem.scratch === undefined) w.line(`if (${query} > 0) return TFG_ARG_ERROR;`);
  w.line(
    `return ${call.kernel}(&ctx, &params, &quant, &input_dims, ${mem.at(call.inputs[0])}, &filter_dims, ${a.filter}, ${a.bias}, &output_dims, ${mem.at(call.output)});`,
  );
}

function emitPool(w: CWriter, call: PoolCall, mem: LayerMemory, ctx: (q: string | undefined) => void): void {
  w.line(`static const tfg_pool_params params = {${tile(call.stride)}, ${tile(call.padding)}, ${clamp(call.activation)}};`);
  w.line(`static const tfg_dims input_dims = ${dims(call.input)};`);
  w.line(`static const tfg_dims filter_dims = {1, ${call.filter.h}, ${call.filter.w}, 1};`);
  w.line(`static const tfg_dims output_dims = ${dims(call.outputDims)};`);
  const query = call.kernel === 'tfg_avgpool_s8' ? 'tfg_avgpool_s8_get_buffer_size(&output_dims)' : undefined;
  ctx(query);
  if (mem.scratch === undefined && query !== undefined) w.line(`if (${query} > 0) return TFG_ARG_ERROR;`);
  w.line(`return ${call.kernel}(&ctx, &params, &input_dims, ${mem.at(call.inputs[0])}, &filter_dims, &output_dims, ${mem.at(call.output)});`);
}

function emitAdd(w: CWriter, c: AddCall, mem: LayerMemory): void {
  w.line(
    `static const tfg_add_params params = {${c.input1Offset}, ${c.input1Multiplier}, ${c.input1Shift}, ${c.input2Offset}, ${c.input2Multiplier}, ${c.input2Shift}, ${c.leftShift}, ${c.outputOffset}, ${c.outputMultiplier}, ${c.outputShift}, ${clamp(c.activation)}};`,
  );
  emitBinary(w, c, mem, 'tfg_elementwise_add_s8');
}

function emitMul(w: CWriter, c: MulCall, mem: LayerMemory): void {
  w.line(`static const tfg_mul_params params = {${c.input1Offset}, ${c.input2Offset}, ${c.outputOffset}, ${c.outputMultiplier}, ${c.outputShift}, ${clamp(c.activation)}};`);
  emitBinary(w, c, mem, 'tfg_elementwise_mul_s8');
}

function emitBinary(w: CWriter, c: AddCall | MulCall, mem: LayerMemory, kernel: string): void {
  w.line(`static const tfg_dims input1_dims = ${dims(c.input1)};`);
  w.line(`static const tfg_dims input2_dims = ${dims(c.input2)};`);
  w.line(`static const tfg_dims output_dims = ${dims(c.outputDims)};`);
  w.line(`return ${kernel}(&params, &input1_dims, ${mem.at(c.inputs[0])}, &input2_dims, ${mem.at(c.inputs[1])}, &output_dims, ${mem.at(c.output)});`);
}

function emitSoftmax(w: CWriter, c: SoftmaxCall, mem: LayerMemory): void {
  w.line(`static const tfg_softmax_params params = {${c.inputMultiplier}, ${c.inputLeftShift}, ${c.diffMin}};`);
  w.line(`return tfg_softmax_s8(&params, ${c.rows}, ${c.rowSize}, ${mem.at(c.inputs[0])}, ${mem.at(c.output)});`);
}
