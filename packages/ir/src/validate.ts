import { isQuantizedDType } from './dtype';
import { IrValidationError } from './errors';
import { Graph } from './graph';
import { Node, OP_ARITY, opDef } from './ops';
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
    if (t.state !== undefined) {
      // Op state exists before the first node runs; it must not also be a constant or a graph input.
      available[i] = 1;
      if (t.state !== 'persistent' && t.state !== 'per-run') {
        problems.push({ code: 'IR_STATE', tensor: t.name, message: `tensor '${t.name}' has unknown state kind ${JSON.stringify(t.state)}` });
      } else if (t.data !== undefined || graph.inputs.includes(i)) {
        problems.push({ code: 'IR_STATE', tensor: t.name, message: `state tensor '${t.name}' cannot also be ${t.data !== undefined ? 'a constant' : 'a graph input'}` });
      }
    }
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
      } else if (produced[t] || graph.tensors[t].data !== undefined || graph.inputs.includes(t) || graph.tensors[t].state !== undefined) {
        problems.push({ code: 'IR_PRODUCER', node: node.name, message: `output '${graph.tensors[t].name}' already has a value (a second producer, a constant, a graph input or op state)` });
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
    else if (graph.tensors[o].state !== undefined) problems.push({ code: 'IR_STATE', message: `graph output '${graph.tensors[o].name}' is op state (read it through the node's output instead)` });
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
