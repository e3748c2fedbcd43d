import { dtypeBytes, isQuantizedDType } from './dtype';
import { LIMITS } from './limits';
import { IrValidationError } from './errors';
import type { Diagnostic } from './diagnostic';
import { Graph } from './graph';
import { Node, OP_ARITY, opDef } from './ops';
import { inferOutputShapes } from './shape-inference';
import { shapeToString, Tensor } from './tensor';
import { checkLayerQuantization, checkTensorQuantization } from './validate-quant';

export type { Diagnostic } from './diagnostic';

/**
 * Check a graph: tensor references, single producers, topological order, arity, dtypes, quantization parameters
 * and every output shape against shape inference. Returns all problems found (empty when valid).
 */
export function validateGraph(graph: Graph): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const limit = checkLimits(graph);
  if (limit !== undefined) return [limit];
  const n = graph.tensors.length;
  const inRange = (t: number): boolean => Number.isInteger(t) && t >= 0 && t < n;
  const available = new Uint8Array(n);
  const produced = new Uint8Array(n);
  const isInput = new Uint8Array(n);
  for (const i of graph.inputs) if (inRange(i)) isInput[i] = 1;
  // Tensors something reads or writes; an unused one may be empty (TFLite's integer LSTM intermediates are).
  const used = new Uint8Array(n);
  for (const t of [...graph.inputs, ...graph.outputs]) if (inRange(t)) used[t] = 1;
  for (const node of graph.nodes) for (const t of [...node.inputs, ...node.outputs]) if (inRange(t)) used[t] = 1;

  graph.tensors.forEach((t, i) => {
    if (t.data !== undefined) available[i] = 1;
    if (t.state !== undefined) {
      // Op state exists before the first node runs; it must not also be a constant or a graph input.
      available[i] = 1;
      if (t.state !== 'persistent' && t.state !== 'per-run') {
        problems.push({ code: 'IR_STATE', tensor: t.name, message: `tensor '${t.name}' has unknown state kind ${JSON.stringify(t.state)}` });
      } else if (t.data !== undefined || isInput[i]) {
        problems.push({ code: 'IR_STATE', tensor: t.name, message: `state tensor '${t.name}' cannot also be ${t.data !== undefined ? 'a constant' : 'a graph input'}` });
      }
    }
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      problems.push({ code: 'IR_SHAPE', tensor: t.name, message: `tensor '${t.name}' has invalid shape ${shapeToString(t.shape)}` });
    }
    if (t.data === undefined && used[i] && t.shape.some((d) => d === 0)) {
      problems.push({ code: 'IR_SHAPE', tensor: t.name, message: `tensor '${t.name}' has shape ${shapeToString(t.shape)}: a dimension of 0 leaves it without elements` });
    }
    if (t.quant !== undefined) {
      problems.push(...checkTensorQuantization(t));
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
    else if (available[i]) {
      const why = graph.tensors[i].data !== undefined ? 'carries constant data (a graph input is given at run time)' : 'is listed twice';
      problems.push({ code: 'IR_PRODUCER', tensor: graph.tensors[i].name, message: `graph input '${graph.tensors[i].name}' ${why}` });
    } else available[i] = 1;
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
    const optional = opDef(node.op).optionalInputs ?? [];
    node.inputs.forEach((t, k) => {
      if (t === -1 && (k >= lo || optional.includes(k))) return;
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
      } else if (produced[t] || graph.tensors[t].data !== undefined || isInput[t] || graph.tensors[t].state !== undefined) {
        problems.push({ code: 'IR_PRODUCER', node: node.name, message: `output '${graph.tensors[t].name}' already has a value (a second producer, a constant, a graph input or op state)` });
      } else {
        produced[t] = 1;
        available[t] = 1;
      }
    }
    if (problems.length > before) return;
    problems.push(...checkDTypes(graph, node));
    problems.push(...checkLayerQuantization(graph, node));
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
  if (graph.outputs.length === 0) problems.push({ code: 'IR_REF', message: 'the graph has no outputs' });
  for (const o of graph.outputs) {
    if (!inRange(o)) problems.push({ code: 'IR_REF', message: `graph output refers to tensor ${o}, which does not exist` });
    else if (graph.tensors[o].state !== undefined) problems.push({ code: 'IR_STATE', message: `graph output '${graph.tensors[o].name}' is op state (read it through the node's output instead)` });
    else if (!available[o]) problems.push({ code: 'IR_REF', message: `graph output '${graph.tensors[o].name}' is never produced` });
  }
  return problems;
}

/** The first LIMITS the graph exceeds (checked first: everything after is linear within them). */
function checkLimits(graph: Graph): Diagnostic | undefined {
  const over = (message: string): Diagnostic => ({ code: 'IR_LIMIT', message });
  if (graph.nodes.length > LIMITS.maxNodes) return over(`${graph.nodes.length} nodes, above the limit ${LIMITS.maxNodes}`);
  if (graph.tensors.length > LIMITS.maxTensors) return over(`${graph.tensors.length} tensors, above the limit ${LIMITS.maxTensors}`);
  let edges = 0;
  for (const node of graph.nodes) {
    edges += node.inputs.length;
    if (node.inputs.length > LIMITS.maxNodeInputs) return { ...over(`${node.inputs.length} inputs, above the limit ${LIMITS.maxNodeInputs}`), node: node.name };
  }
  if (edges > LIMITS.maxEdges) return over(`${edges} node inputs in all, above the limit ${LIMITS.maxEdges}`);
  for (const t of graph.tensors) {
    const bytes = t.shape.reduce((n, d) => n * d, 1) * dtypeBytes(t.dtype);
    if (t.shape.length > LIMITS.maxRank || bytes > LIMITS.maxTensorBytes) return { ...over(`tensor '${t.name}' ${shapeToString(t.shape)} ${t.dtype} is above the limits (rank ${LIMITS.maxRank}, ${LIMITS.maxTensorBytes} bytes)`), tensor: t.name };
  }
  return undefined;
}

/** Throw an IrValidationError describing every problem, if there are any. */
export function assertValidGraph(graph: Graph, file?: string): void {
  const problems = validateGraph(graph);
  if (problems.length === 0) return;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new IrValidationError(first.code, first.message + more, { file, node: first.node });
}

function checkDTypes(graph: Graph, node: Node): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const input = (i: number): Tensor | undefined => (node.inputs[i] >= 0 ? graph.tensors[node.inputs[i]] : undefined);
  if (input(0) === undefined) return problems;
  opDef(node.op).dtypes.check({
    op: node.op,
    inputCount: node.inputs.length,
    input,
    output: graph.tensors[node.outputs[0]],
    bad: (msg) => problems.push({ code: 'IR_DTYPE', node: node.name, message: `${node.op}: ${msg}` }),
    needQuant: (t, role) => {
      if (isQuantizedDType(t.dtype) && t.quant === undefined) {
        problems.push({ code: 'IR_DTYPE', node: node.name, message: `${node.op}: ${role} '${t.name}' is ${t.dtype} but has no quantization parameters` });
      }
    },
  });
  return problems;
}
