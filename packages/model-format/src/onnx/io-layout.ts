import { TensorLayout } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { Attributes } from './attributes';

/**
 * The declared layout of a 4-D ONNX graph input or output, from the operators next to it. ONNX defines axis 1 as the
 * channels of Conv, pooling and normalization; a model that declares NHWC converts it itself with a Transpose
 * (keras2onnx and tf2onnx begin with perm [0, 3, 1, 2] and end with [0, 2, 3, 1]). When neither is found through
 * element-wise operators, NCHW (ONNX's convention) is assumed and the caller says so.
 */
export interface LayoutFinding {
  layout: TensorLayout;
  /** What it rests on, or undefined when the graph does not tell (NCHW assumed). */
  evidence?: string;
}

/** Ops whose ONNX definition makes axis 1 of a 4-D input or output its channels. */
const CHANNELS_FIRST = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization', 'InstanceNormalization', 'LpPool', 'LRN']);
/** Element-wise ops: their data input and output share one layout. */
const KEEPS_LAYOUT = new Set(['Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'HardSwish', 'Identity', 'Dropout', 'Cast', 'QuantizeLinear', 'DequantizeLinear', 'Add', 'Sub', 'Mul', 'Div', 'Abs', 'Round', 'Sign', 'Pad']);
const NHWC_TO_NCHW = '0,3,1,2';
const NCHW_TO_NHWC = '0,2,3,1';
/** How far through element-wise operators to look. */
const MAX_STEPS = 16;

const permOf = (node: onnx.INodeProto): string => (new Attributes(node, (m) => new ModelFormatError('FORMAT_MALFORMED', m, { node: node.name ?? undefined })).ints('perm') ?? []).join(',');

/** A graph input's layout, from the nodes that read it (and what reads their outputs, through element-wise ops). */
export function inputLayout(name: string, readers: ReadonlyMap<string, readonly onnx.INodeProto[]>): LayoutFinding {
  let frontier = [name];
  for (let step = 0; step < MAX_STEPS && frontier.length > 0; step++) {
    const next: string[] = [];
    for (const value of frontier) {
      for (const node of readers.get(value) ?? []) {
        const label = `${node.opType} '${node.name}'`;
        if (CHANNELS_FIRST.has(node.opType ?? '') && node.input?.[0] === value) return { layout: 'NCHW', evidence: `read by ${label}` };
        if (node.opType === 'Transpose' && permOf(node) === NHWC_TO_NCHW) return { layout: 'NHWC', evidence: `${label} converts it to NCHW` };
        if (node.opType === 'Transpose' && permOf(node) === NCHW_TO_NHWC) return { layout: 'NCHW', evidence: `${label} converts it to NHWC` };
        if (KEEPS_LAYOUT.has(node.opType ?? '')) next.push(...(node.output ?? []).filter((o) => o !== ''));
      }
    }
    frontier = next;
  }
  return { layout: 'NCHW' };
}

/** A graph output's layout, from the node that produces it (and its data input, through element-wise ops). */
export function outputLayout(name: string, producers: ReadonlyMap<string, onnx.NodeProto>): LayoutFinding {
  let value = name;
  for (let step = 0; step < MAX_STEPS; step++) {
    const node = producers.get(value);
    if (node === undefined) break;
    const label = `${node.opType} '${node.name}'`;
    if (CHANNELS_FIRST.has(node.opType)) return { layout: 'NCHW', evidence: `made by ${label}` };
    if (node.opType === 'Transpose' && permOf(node) === NCHW_TO_NHWC) return { layout: 'NHWC', evidence: `${label} converts it from NCHW` };
    if (node.opType === 'Transpose' && permOf(node) === NHWC_TO_NCHW) return { layout: 'NCHW', evidence: `${label} converts it from NHWC` };
    if (!KEEPS_LAYOUT.has(node.opType) || node.input[0] === undefined) break;
    value = node.input[0];
  }
  return { layout: 'NCHW' };
}
