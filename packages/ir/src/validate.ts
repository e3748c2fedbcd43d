import { DType } from './dtype';
import { IrValidationError } from './errors';
import { Graph } from './graph';
import { Node, OP_ARITY } from './ops';
import { inferOutputShapes } from './shape-inference';
import { shapeToString, Tensor } from './tensor';

export interface Diagnostic {
  code: string;
  message: string;
  node?: string;
  tensor?: string;
}

/**
 * Check a graph: tensor references, single producers, topological order, arity, dtypes, quantization parameters
 * and every output shape against shape inference. Returns all problems found (empty when valid).
 */
export function validateGraph(graph: Graph): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const n = graph.tensors.length;
  const inRange = (t: number): boolean => Number.isInteger(t) && t >= 0 && t < n;
  const available = new Uint8Array(n);
  const produced = new Uint8Array(n);

  graph.tensors.forEach((t, i) => {
    if (t.data !== undefined) available[i] = 1;
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      problems.push({ code: 'IR_SHAPE', tensor: t.name, message: `tensor '${t.name}' has invalid shape ${shapeToString(t.shape)}` });
    }
    if (t.quant !== undefined) {
      const q = t.quant;
      if (q.scale.length !== q.zeroPoint.length || q.scale.length === 0) {
        problems.push({ code: 'IR_QUANT', tensor: t.name, message: `tensor '${t.name}' has ${q.scale.length} scales and ${q.zeroPoint.length} zero points` });
      } else if (q.scale.length > 1 && (q.axis < 0 || q.axis >= t.shape.length || t.shape[q.axis] !== q.scale.length)) {
        problems.push({ code: 'IR_QUANT', tensor: t.name, message: `tensor '${t.name}' has ${q.scale.length} per-axis scales but dimension ${q.axis} of ${shapeToString(t.shape)}` });
      }
    }
  });
  for (const i of graph.inputs) {
    if (!inRange(i)) problems.push({ code: 'IR_REF', message: `graph input refers to tensor ${i}, which does not exist` });
    else available[i] = 1;
  }
  const names = new Set<string>();
  graph.nodes.forEach((node) => {
    if (names.has(node.name)) problems.push({ code: 'IR_NAME', node: node.name, message: `node name '${node.name}' is not unique` });
    names.add(node.name);
    const before = problems.length;
    const [lo, hi] = OP_ARITY[node.op];
    if (node.inputs.length < lo || node.inputs.length > hi) {
      problems.push({ code: 'IR_ARITY', node: node.name, message: `${node.op} takes ${lo === hi ? lo : `${lo}–${hi}`} inputs, got ${node.inputs.length}` });
    }
    if (node.outputs.length !== 1) {
      problems.push({ code: 'IR_ARITY', node: node.name, message: `${node.op} has one output, got ${node.outputs.length}` });
    }
    node.inputs.forEach((t, k) => {
      if (t === -1 && k >= lo) return;
      if (!inRange(t)) problems.push({ code: 'IR_REF', node: node.name, message: `input ${k} refers to tensor ${t}, which does not exist` });
      else if (!available[t]) {
        problems.push({
          code: 'IR_ORDER',
          node: node.name,
          message: `input '${graph.tensors[t].name}' is used before it is produced (nodes are not in topological order)`,
        });
      }
    });
    for (const t of node.outputs) {
      if (!inRange(t)) {
        problems.push({ code: 'IR_REF', node: node.name, message: `output refers to tensor ${t}, which does not exist` });
      } else if (produced[t] || graph.tensors[t].data !== undefined || graph.inputs.includes(t)) {
        problems.push({ code: 'IR_PRODUCER', node: node.name, message: `output '${graph.tensors[t].name}' already has a value (a second producer, a constant or a graph input)` });
      } else {
        produced[t] = 1;
        available[t] = 1;
      }
    }
    if (problems.length > before) return;
    problems.push(...checkDTypes(graph, node));
    try {
      const shapes = inferOutputShapes(graph, node);
      node.outputs.forEach((t, k) => {
        const declared = graph.tensors[t].shape;
        const inferred = shapes[k];
        if (declared.length !== inferred.length || declared.some((d, j) => d !== inferred[j])) {
          problems.push({
            code: 'IR_SHAPE',
            node: node.name,
            message: `output '${graph.tensors[t].name}' is declared ${shapeToString(declared)} but ${node.op} produces ${shapeToString(inferred)}`,
          });
        }
      });
    } catch (e) {
      if (!(e instanceof IrValidationError)) throw e;
      problems.push({ code: e.code, node: node.name, message: e.message });
    }
  });
  for (const o of graph.outputs) {
    if (!inRange(o)) problems.push({ code: 'IR_REF', message: `graph output refers to tensor ${o}, which does not exist` });
    else if (!available[o]) problems.push({ code: 'IR_REF', message: `graph output '${graph.tensors[o].name}' is never produced` });
  }
  return problems;
}

/** Throw an IrValidationError describing every problem, if there are any. */
export function assertValidGraph(graph: Graph, file?: string): void {
  const problems = validateGraph(graph);
  if (problems.length === 0) return;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new IrValidationError(first.code, first.message + more, { file, node: first.node });
}

const QUANTIZED: readonly DType[] = ['int8', 'uint8', 'int16'];

function checkDTypes(graph: Graph, node: Node): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const t = (i: number): Tensor | undefined => (node.inputs[i] >= 0 ? graph.tensors[node.inputs[i]] : undefined);
  const out = graph.tensors[node.outputs[0]];
  const x = t(0);
  if (x === undefined) return problems;
  const bad = (msg: string): void => {
    problems.push({ code: 'IR_DTYPE', node: node.name, message: `${node.op}: ${msg}` });
  };
  const needQuant = (tensor: Tensor, role: string): void => {
    if (QUANTIZED.includes(tensor.dtype) && tensor.quant === undefined) bad(`${role} '${tensor.name}' is ${tensor.dtype} but has no quantization parameters`);
  };
  switch (node.op) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
    case 'FullyConnected': {
      const w = t(1);
      const bias = t(2);
      if (w === undefined) break;
      if (x.dtype === 'float32') {
        // Float, or hybrid (dynamic-range) with int8 weights and float activations.
        if (w.dtype !== 'float32' && w.dtype !== 'int8') bad(`float input needs float32 or int8 weights, got ${w.dtype}`);
        if (bias !== undefined && bias.dtype !== 'float32') bad(`float model needs a float32 bias, got ${bias.dtype}`);
        if (out.dtype !== 'float32') bad(`float input gives a float32 output, got ${out.dtype}`);
      } else if (x.dtype === 'int8' || x.dtype === 'int16') {
        if (w.dtype !== 'int8') bad(`${x.dtype} input needs int8 weights, got ${w.dtype}`);
        const biasType = x.dtype === 'int8' ? 'int32' : 'int64';
        if (bias !== undefined && bias.dtype !== biasType && !(x.dtype === 'int16' && bias.dtype === 'int32')) {
          bad(`${x.dtype} input needs an ${biasType} bias, got ${bias.dtype}`);
        }
        if (out.dtype !== x.dtype) bad(`output must be ${x.dtype}, got ${out.dtype}`);
        needQuant(x, 'input');
        needQuant(w, 'weights');
        needQuant(out, 'output');
      } else {
        bad(`unsupported input type ${x.dtype}`);
      }
      break;
    }
    case 'Quantize':
      if (!QUANTIZED.includes(out.dtype)) bad(`output must be int8, uint8 or int16, got ${out.dtype}`);
      if (x.dtype !== 'float32' && !QUANTIZED.includes(x.dtype)) bad(`input must be float32 or quantized, got ${x.dtype}`);
      needQuant(out, 'output');
      break;
    case 'Dequantize':
      if (out.dtype !== 'float32') bad(`output must be float32, got ${out.dtype}`);
      if (!QUANTIZED.includes(x.dtype)) bad(`input must be int8, uint8 or int16, got ${x.dtype}`);
      needQuant(x, 'input');
      break;
    case 'Reshape':
    case 'Squeeze':
    case 'Transpose':
    case 'StridedSlice':
    case 'Pad':
    case 'Identity':
    case 'Concatenation':
      for (let i = 0; i < (node.op === 'Concatenation' ? node.inputs.length : 1); i++) {
        const ti = t(i);
        if (ti !== undefined && ti.dtype !== out.dtype) bad(`input ${i} is ${ti.dtype} but the output is ${out.dtype}`);
      }
      break;
    case 'BatchNorm':
      if (x.dtype !== 'float32') bad(`only float32 is supported, got ${x.dtype}`);
      break;
    case 'Cast':
      break;
    default: {
      // Element-wise, pooling, activations, mean, softmax: same dtype in and out.
      const binary = node.op === 'Add' || node.op === 'Sub' || node.op === 'Mul' || node.op === 'Div';
      for (let i = 0; i < (binary ? 2 : 1); i++) {
        const ti = t(i);
        if (ti !== undefined && ti.dtype !== out.dtype) bad(`input ${i} is ${ti.dtype} but the output is ${out.dtype}`);
      }
      // Plain integer arithmetic (int32/int64, no quantization): the ops the QDQ export spells requantization with.
      const arithmetic = binary || node.op === 'Round' || node.op === 'Abs' || node.op === 'Sign';
      const plainInteger = arithmetic && (x.dtype === 'int32' || x.dtype === 'int64');
      const quantizedOk = node.op !== 'Div' && node.op !== 'Round' && node.op !== 'Abs' && node.op !== 'Sign';
      if (!plainInteger && x.dtype !== 'float32' && !(quantizedOk && QUANTIZED.includes(x.dtype))) bad(`unsupported type ${x.dtype}`);
      if (x.dtype !== 'float32' && !plainInteger) {
        needQuant(x, 'input');
        needQuant(out, 'output');
      }
    }
  }
  return problems;
}
