/**
 * Layer bodies for the table activations, quantize/dequantize, pad, transpose, concatenation and mean kernels
 * (see @tinyforge/kernels-cmsis's tfg_nn.h for their contracts).
 */
import { ConcatCall, Dims4, LutCall, MeanCall, PadCall, QuantizeCall, TransposeCall } from '@tinyforge/kernels-cmsis';
import { CWriter } from './c-writer';
import { LayerMemory } from './layers';
import { WeightTable } from './weights';

const dims = (d: Dims4): string => `{${d.n}, ${d.h}, ${d.w}, ${d.c}}`;

/** A float32 as a C literal that reads back to the same float (9 significant digits round-trip). */
const floatLiteral = (f: number): string => `${Math.fround(f).toPrecision(9)}f`;

export function emitLut(w: CWriter, c: LutCall, id: string, mem: LayerMemory, weights: WeightTable): void {
  const table = weights.add(`${id}_table`, 'int8_t', c.table, `${c.node}: output for each input value + 128`);
  w.line(`return tfg_lut_s8(${table}, ${c.size}, ${mem.at(c.inputs[0])}, ${mem.at(c.output)});`);
}

export function emitQuantize(w: CWriter, c: QuantizeCall, mem: LayerMemory): void {
  if (c.kernel === 'tfg_quantize_f32_s8') {
    w.line(`return tfg_quantize_f32_s8((const float *)(const void *)(${mem.at(c.inputs[0])}), ${c.size}, ${floatLiteral(c.scale)}, ${c.zeroPoint}, ${mem.at(c.output)});`);
  } else {
    w.line(`return tfg_dequantize_s8_f32(${mem.at(c.inputs[0])}, ${c.size}, ${floatLiteral(c.scale)}, ${c.zeroPoint}, (float *)(void *)(${mem.at(c.output)}));`);
  }
}

export function emitPad(w: CWriter, c: PadCall, mem: LayerMemory): void {
  w.line(`static const tfg_dims input_dims = ${dims(c.input)};`);
  w.line(`static const tfg_dims pad_before = ${dims(c.padBefore)};`);
  w.line(`static const tfg_dims output_dims = ${dims(c.outputDims)};`);
  w.line(`return tfg_pad_s8(&input_dims, ${mem.at(c.inputs[0])}, &pad_before, &output_dims, ${c.fill}, ${mem.at(c.output)});`);
}

export function emitTranspose(w: CWriter, c: TransposeCall, mem: LayerMemory): void {
  w.line(`static const tfg_dims input_dims = ${dims(c.input)};`);
  w.line(`static const int32_t perm[4] = {${c.perm.join(', ')}};`);
  w.line(`return tfg_transpose_s8(&input_dims, ${mem.at(c.inputs[0])}, perm, ${mem.at(c.output)});`);
}

export function emitConcat(w: CWriter, c: ConcatCall, mem: LayerMemory): void {
  const parts = c.parts.map(
    (p, k) => `{${mem.at(c.inputs[k])}, ${p.row}, ${p.requantize ? 1 : 0}, ${floatLiteral(p.scale)}, ${floatLiteral(p.bias)}}`,
  );
  w.line(`const tfg_concat_input parts[${parts.length}] = {${parts.join(', ')}};`);
  w.line(`return tfg_concatenation_s8(parts, ${parts.length}, ${c.outer}, ${c.outputOffset}, ${mem.at(c.output)});`);
}

export function emitMean(w: CWriter, c: MeanCall, mem: LayerMemory): void {
  w.line(`static const tfg_mean_params params = {${c.axesMask}, ${c.inputOffset}, ${c.outputOffset}, ${c.multiplier}, ${c.shift}};`);
  w.line(`static const tfg_dims input_dims = ${dims(c.input)};`);
  w.line(`return tfg_mean_s8(&params, &input_dims, ${mem.at(c.inputs[0])}, ${mem.at(c.output)});`);
}
