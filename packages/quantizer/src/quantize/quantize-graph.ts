import { cloneGraph, DType, FusedActivation, Graph, isWeighted, Node, Quantization, Tensor, weightChannelAxis, WeightedNode } from '@tinyforge/ir';
import { floatActivationRange } from '@tinyforge/interpreter';
import { Range } from '../calibration/observers';
import { copyFloats } from '../passes/graph-edit';
import { QuantizerError } from '../errors';
import { fixedOutputQuant, NO_INT16_KERNEL, OUTPUT_RULES } from './op-rules';
import { activationQuant, agreeingWeightScale, int16ActivationQuant, minWeightScales, quantizeBias, quantizeBias64, quantizeConstant, quantizeWeights, quantRange } from './params';
import { MixedPrecision } from './mixed-precision';
import { quantizeRecurrent } from './quantize-recurrent';

export type IoType = 'int8' | 'float';

/** int8 activations (TFLite's int8 scheme) or int16 ones with int8 weights and int64 biases (its 16x8 mode). */
export type ActivationType = 'int8' | 'int16';

export interface BuildOptions {
  /** One weight scale per tensor for conv/depthwise (default: per output channel). */
  perTensor: boolean;
  /** Per-channel fully-connected weights (default: per tensor, what most int8 runtimes expect). */
  perChannelFullyConnected: boolean;
  /** 'float': keep float32 model inputs/outputs with Quantize/Dequantize nodes at the edges; 'int8': quantized I/O. */
  io: IoType;
  /** Activation type (default int8). */
  activations?: ActivationType;
  /** Calibrated ranges of values inside nodes (an LSTM's cell state and gate inputs), keyed `node/what`. */
  internalRanges?: ReadonlyMap<string, Range>;
  /** Where quantization notes what it had to assume or what may lose precision. */
  warnings?: string[];
  /**
   * Nodes (indices into the float graph) that run with int16 activations in an int8 graph (16x8 kernels, per-channel
   * weights: a classifier head, classifier-head.ts). Int8 tensors they read are requantized to int16 first; their
   * int16 results are requantized back to int8 where an int8 node or a graph output takes them.
   */
  int16Nodes?: ReadonlySet<number>;
}

/** Refuse ops the int8 (or 16x8) scheme has no rule for, naming the node. */
export function checkQuantizable(graph: Graph, activations: ActivationType = 'int8'): void {
  for (const node of graph.nodes) {
    if (activations === 'int16' && NO_INT16_KERNEL.has(node.op)) {
      throw new QuantizerError('QUANT_UNSUPPORTED', `${node.op} has no 16x8 (int16 activation) kernel; quantize this model with int8 activations`, { node: node.name });
    }
    if (node.op === 'Quantize' || node.op === 'Dequantize') {
      throw new QuantizerError('QUANT_NOT_FLOAT', `the model already has ${node.op} nodes on computed tensors: give the float model`, { node: node.name });
    }
    if (OUTPUT_RULES[node.op] === undefined) {
      throw new QuantizerError('QUANT_UNSUPPORTED', `${node.op} has no int8 quantization rule (supported: ${Object.keys(OUTPUT_RULES).join(', ')})`, { node: node.name });
    }
    if (isWeighted(node) && node.inputs[1] !== undefined && graph.tensors[node.inputs[1]]?.data === undefined) {
      throw new QuantizerError('QUANT_UNSUPPORTED', `${node.op} with non-constant weights cannot be quantized`, { node: node.name });
    }
    if (node.op === 'Concatenation' && node.attrs.activation !== 'none') {
      throw new QuantizerError('QUANT_UNSUPPORTED', 'a fused activation on Concatenation has no int8 kernel', { node: node.name });
    }
    // A recurrent op's `activation` is its cell activation (the integer kernel's tanh), not a fused clamp.
    const act = OUTPUT_RULES[node.op] === 'recurrent' ? undefined : (node.attrs as { activation?: FusedActivation }).activation;
    if (act !== undefined && floatActivationRange(act) === undefined) {
      throw new QuantizerError('QUANT_UNSUPPORTED', `fused activation '${act}' has no int8 kernel`, { node: node.name });
    }
  }
}

/**
 * The int8 twin of a float graph, given each activation's calibrated range. Tensor indices of the float graph keep
 * their meaning (index k is the int8 version of float tensor k), which is what the per-layer report relies on; new
 * tensors (requantized concat inputs, float I/O) are appended. Node order is kept, with the few added nodes placed
 * just before their reader.
 */
export function buildInt8Graph(floatGraph: Graph, ranges: ReadonlyMap<number, Range>, options: BuildOptions): Graph {
  const int16 = options.activations === 'int16';
  checkQuantizable(floatGraph, options.activations);
  const g = cloneGraph(floatGraph);
  const params = new Map<number, Quantization>();
  /** Tensors whose type is not the activation type (a recurrent op's int16 state). */
  const dtypes = new Map<number, DType>();
  const quantOf = int16 ? int16ActivationQuant : activationQuant;
  const rangeOf = (t: number): Range => {
    const r = ranges.get(t);
    if (r === undefined) throw new QuantizerError('QUANT_UNSUPPORTED', `no calibrated range for tensor '${g.tensors[t].name}'`);
    return r;
  };
  for (const t of g.inputs) params.set(t, quantOf(rangeOf(t)));
  const nodes: Node[] = [];
  const mixed = new MixedPrecision(g, params, dtypes, int16 ? new Set() : (options.int16Nodes ?? new Set()));
  for (const [index, node] of g.nodes.entries()) {
    const out = node.outputs[0];
    const rule = OUTPUT_RULES[node.op]!;
    // A 16-bit node in an int8 graph (and the reverse: an int8 node reading a 16-bit result) takes its inputs requantized.
    const wide = int16 || mixed.isWide(index);
    if (!int16) nodes.push(...mixed.adaptInputs(index, node));
    const inParams = (k: number): Quantization => {
      const q = params.get(node.inputs[k]);
      if (q === undefined) throw new QuantizerError('QUANT_UNSUPPORTED', `input ${k} is neither an activation nor a quantizable constant`, { node: node.name });
      return q;
    };
    if (rule === 'recurrent') {
      quantizeRecurrent(g, node, { params, dtypes, activationQuant: quantOf, outputRange: rangeOf(out), int16, internal: options.internalRanges, warnings: options.warnings });
      nodes.push(node);
      continue;
    }
    // Constant float operands of element-wise ops become per-tensor constants of the activation type.
    if (!isWeighted(node)) quantizeOperands(g, node, params, wide);
    const nodeQuant = wide ? int16ActivationQuant : activationQuant;
    if (rule === 'calibrated') params.set(out, nodeQuant(narrow(rangeOf(out), node)));
    else if (rule === 'same-as-input') params.set(out, inParams(0));
    else if (rule === 'fixed') params.set(out, fixedOutputQuant(node.op, wide));
    else nodes.push(...requantizeConcatInputs(g, node, params, wide));
    if (wide && !int16) dtypes.set(out, 'int16');
    if (isWeighted(node)) {
      const layer = wide && !int16 ? { ...options, activations: 'int16' as const, perTensor: false, perChannelFullyConnected: true } : options;
      quantizeWeightsOf(g, node, inParams(0).scale[0], params.get(out)!.scale[0], layer);
    }
    nodes.push(node);
    if (!int16) nodes.push(...mixed.narrowOutput(index, node, g.outputs, (op) => (rule === 'fixed' ? fixedOutputQuant(op) : activationQuant(rangeOf(out)))));
  }
  g.nodes = nodes;
  for (const [t, q] of params) {
    const tensor = g.tensors[t];
    if (tensor.data === undefined) setQuantized(tensor, q, dtypes.get(t) ?? (int16 ? 'int16' : 'int8'));
  }
  if (options.io === 'float') addFloatInterface(g, floatGraph);
  g.metadata = { ...g.metadata, props: { ...g.metadata.props, 'tinyforge.quantizer': int16 ? '16x8 post-training' : 'int8 post-training' } };
  return g;
}

function setQuantized(t: Tensor, q: Quantization, dtype: DType): void {
  t.dtype = dtype;
  t.quant = { scale: [...q.scale], zeroPoint: [...q.zeroPoint], axis: q.axis };
}


/** A fused clamp narrows the range: only values inside it are ever written. */
function narrow(r: Range, node: Node): Range {
  const act = (node.attrs as { activation?: FusedActivation }).activation;
  const clamp = act === undefined ? undefined : floatActivationRange(act);
  if (clamp === undefined) return r;
  return { min: Math.max(r.min, clamp.min), max: Math.min(r.max, clamp.max) };
}

function quantizeOperands(g: Graph, node: Node, params: Map<number, Quantization>, int16: boolean): void {
  node.inputs.forEach((t, k) => {
    if (t < 0 || params.has(t)) return;
    const tensor = g.tensors[t];
    if (tensor.data === undefined || tensor.dtype !== 'float32') return; // shapes, axes, paddings stay int32
    const values = copyFloats(tensor.data);
    // A Pad constant must use the padded tensor's parameters; others get their own.
    const q = quantizeConstant(values, node.op === 'Pad' && k === 2 ? params.get(node.inputs[0]) : undefined, int16);
    const copy: Tensor = { ...tensor, shape: [...tensor.shape], dtype: int16 ? 'int16' : 'int8', data: new Uint8Array(q.data.buffer), quant: q.quant };
    g.tensors.push(copy);
    node.inputs[k] = g.tensors.length - 1;
    params.set(g.tensors.length - 1, q.quant);
  });
}

function quantizeWeightsOf(g: Graph, node: WeightedNode, inputScale: number, outputScale: number, o: BuildOptions): void {
  const w = g.tensors[node.inputs[1]];
  if (w.dtype !== 'float32' || w.data === undefined) throw new QuantizerError('QUANT_NOT_FLOAT', `weights '${w.name}' are ${w.dtype}, expected float32 constants`, { node: node.name });
  const perChannel = node.op === 'FullyConnected' ? o.perChannelFullyConnected : !o.perTensor;
  const axis = perChannel ? weightChannelAxis(node) : undefined;
  const b = node.inputs[2];
  const bias = b === undefined || b < 0 ? undefined : g.tensors[b];
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.data === undefined)) {
    throw new QuantizerError('QUANT_NOT_FLOAT', `bias '${bias.name}' is ${bias.dtype}, expected float32 constants`, { node: node.name });
  }
  const biasValues = bias === undefined ? undefined : copyFloats(bias.data!);
  const minScales = biasValues && minWeightScales(biasValues, inputScale, axis !== undefined);
  const qw = quantizeWeights(copyFloats(w.data), w.shape, axis, minScales, (s) => agreeingWeightScale(inputScale, s, outputScale));
  g.tensors.push({ name: w.name, shape: [...w.shape], dtype: 'int8', data: new Uint8Array(qw.data.buffer), quant: qw.quant });
  node.inputs[1] = g.tensors.length - 1;
  if (bias === undefined || biasValues === undefined) return;
  // 16x8 layers take an int64 bias (TFLite's 16x8 convention: the accumulator is 64 bits).
  const wide = o.activations === 'int16';
  const qb = wide ? quantizeBias64(biasValues, inputScale, qw.quant.scale) : quantizeBias(biasValues, inputScale, qw.quant.scale);
  g.tensors.push({ name: bias.name, shape: [...bias.shape], dtype: wide ? 'int64' : 'int32', data: new Uint8Array(qb.data.buffer), quant: qb.quant });
  node.inputs[2] = g.tensors.length - 1;
}

/**
 * Concatenation output: the union of its inputs' ranges. An input whose parameters differ is requantized by a
 * Quantize (int8 → int8) node, so the concatenation itself only copies, as TFLite Micro's kernel requires.
 */
function requantizeConcatInputs(g: Graph, node: Node, params: Map<number, Quantization>, int16: boolean): Node[] {
  // The output holds exactly the inputs' values, so their quantized ranges bound it.
  let min = 0;
  let max = 0;
  for (const t of node.inputs) {
    const r = quantRange(params.get(t)!, int16);
    min = Math.min(min, r.min);
    max = Math.max(max, r.max);
  }
  // When one input already covers the union, its parameters are kept, so that input needs no requantization.
  const covering = node.inputs.map((t) => params.get(t)!).find((q) => {
    const r = quantRange(q, int16);
    return r.min <= min && r.max >= max;
  });
  const outQ = covering ?? (int16 ? int16ActivationQuant({ min, max }) : activationQuant({ min, max }));
  params.set(node.outputs[0], outQ);
  const added: Node[] = [];
  node.inputs = node.inputs.map((t, k) => {
    const q = params.get(t)!;
    if (q.scale[0] === outQ.scale[0] && q.zeroPoint[0] === outQ.zeroPoint[0]) return t;
    const src = g.tensors[t];
    g.tensors.push({ name: `${src.name}/requant_${node.name}`, shape: [...src.shape], dtype: 'float32' });
    const r = g.tensors.length - 1;
    params.set(r, outQ);
    added.push({ name: `${node.name}/requant_${k}`, op: 'Quantize', attrs: {}, inputs: [t], outputs: [r] });
    return r;
  });
  return added;
}

/** A graph input's or output's declared layout, which the tensor taking its place keeps. */
const layoutOf = (t: Tensor): Pick<Tensor, 'layout'> => (t.layout === undefined ? {} : { layout: t.layout });

/**
 * Float model inputs and outputs: a float32 input feeds a Quantize into the int8 tensor, the int8 output feeds a
 * Dequantize into a float32 output. The float tensors take the original names; the int8 ones get a suffix.
 */
function addFloatInterface(g: Graph, floatGraph: Graph): void {
  const front: Node[] = [];
  g.inputs = g.inputs.map((t) => {
    const original = floatGraph.tensors[t];
    g.tensors.push({ name: original.name, shape: [...original.shape], dtype: 'float32', ...layoutOf(original) });
    g.tensors[t].name = `${original.name}_int8`;
    const f = g.tensors.length - 1;
    front.push({ name: `${original.name}/quantize`, op: 'Quantize', attrs: {}, inputs: [f], outputs: [t] });
    return f;
  });
  g.outputs = g.outputs.map((t) => {
    const original = floatGraph.tensors[t];
    g.tensors.push({ name: original.name, shape: [...original.shape], dtype: 'float32', ...layoutOf(original) });
    g.tensors[t].name = `${original.name}_int8`;
    const f = g.tensors.length - 1;
    g.nodes.push({ name: `${original.name}/dequantize`, op: 'Dequantize', attrs: {}, inputs: [t], outputs: [f] });
    return f;
  });
  g.nodes = [...front, ...g.nodes];
}
