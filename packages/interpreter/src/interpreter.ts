import { AnyTypedArray, bytesOf, dtypeBytes, elementCount, Graph, LIMITS, nodeMacs, OpType, pipelineSchedule, Tensor, validateGraph, viewAs, VIEW_OPS } from '@tinyforge/ir';
import { InterpreterError } from './errors';
import { Evaluate, KernelContext, KernelEntry } from './kernels/context';
import { KERNELS } from './kernels/registry';

export interface InterpreterOptions {
  /**
   * Called by kernels with internal float values no tensor holds — an LSTM's gate pre-activations and cell state, a
   * GRU's gate pre-activations, at every step — so that calibration can record their ranges. `what` names the value
   * (e.g. 'cell', 'forget_gate'); the array is only valid during the call.
   */
  observe?: (node: string, what: string, values: Float32Array) => void;
}

export interface RunOptions {
  /** Return a copy of every tensor (true) or of the tensors this predicate selects, keyed by tensor index. */
  keepIntermediates?: boolean | ((tensorIndex: number) => boolean);
}

export interface RunResult {
  /** Raw little-endian bytes of each graph output, in model order (copies). */
  outputs: Uint8Array[];
  /** Requested tensors (activations, inputs, outputs) by tensor index, when keepIntermediates is set. */
  tensors?: Map<number, Uint8Array>;
}

/**
 * Refuse a graph before allocating anything when its activations add up past LIMITS.maxActivationBytes (every
 * tensor has its own buffer here) or one inference is more work (MACs plus output elements) than
 * LIMITS.maxInterpreterWork.
 */
function checkBudget(graph: Graph): void {
  let total = 0;
  for (const t of graph.tensors) if (t.data === undefined) total += elementCount(t.shape) * dtypeBytes(t.dtype);
  if (!(total <= LIMITS.maxActivationBytes)) {
    throw new InterpreterError('INTERP_GRAPH', `the activations need ${total} bytes in all, more than the interpreter allocates (${LIMITS.maxActivationBytes})`);
  }
  let work = 0;
  for (const node of graph.nodes) work += nodeMacs(graph, node) + node.outputs.reduce((n, t) => n + elementCount(graph.tensors[t].shape), 0);
  if (!(work <= LIMITS.maxInterpreterWork)) {
    throw new InterpreterError('INTERP_GRAPH', `one inference is ${work.toExponential(2)} multiply-accumulates and output elements, more than the reference interpreter runs (${LIMITS.maxInterpreterWork.toExponential(0)})`);
  }
}

/**
 * Executes a graph. All preparation — validation, buffer allocation, multipliers, shifts, padding, lookup of
 * kernels — happens in the constructor; `run` only copies inputs in and evaluates the prepared kernels in order.
 * Every tensor has its own buffer (no memory planning), so intermediates survive the run for inspection.
 */
export class Interpreter {
  private readonly arrays: AnyTypedArray[];
  private readonly steps: Evaluate[] = [];
  /** A pipeline's classifier steps (pipelineSchedule): they run on every `stride`-th run only. */
  private readonly gatedSteps: boolean[] = [];
  private readonly stride: number = 1;
  /** Runs since the gated steps last ran (or since the state was reset). */
  private framesSinceGated = 0;
  /** Op state tensors (Tensor.state) and the value each starts from. */
  private readonly states: { index: number; kind: 'persistent' | 'per-run'; initial: number }[] = [];

  constructor(
    readonly graph: Graph,
    options: InterpreterOptions = {},
  ) {
    const problems = validateGraph(graph);
    if (problems.length > 0) {
      const p = problems[0];
      throw new InterpreterError('INTERP_GRAPH', `invalid graph: ${p.message}`, { node: p.node });
    }
    checkBudget(graph);
    this.arrays = graph.tensors.map((t) => allocate(t));
    graph.tensors.forEach((t, i) => {
      if (t.state !== undefined) this.states.push({ index: i, kind: t.state, initial: stateInitialValue(t) });
    });
    this.resetState();
    const schedule = pipelineSchedule(graph);
    if (schedule !== undefined) this.stride = schedule.stride;
    for (const [index, node] of graph.nodes.entries()) {
      if (VIEW_OPS.has(node.op)) {
        // Same bytes, new shape: alias the input's buffer.
        const src = graph.tensors[node.inputs[0]];
        const dst = graph.tensors[node.outputs[0]];
        if (src.dtype !== dst.dtype) {
          throw new InterpreterError('INTERP_UNSUPPORTED', `${node.op}: input is ${src.dtype} but output is ${dst.dtype}`, { node: node.name });
        }
        this.arrays[node.outputs[0]] = this.arrays[node.inputs[0]];
        continue;
      }
      const entry: KernelEntry<OpType> | undefined = KERNELS[node.op] as KernelEntry<OpType> | undefined;
      if (entry === undefined) throw new InterpreterError('INTERP_UNSUPPORTED', `${node.op} has no kernel`, { node: node.name });
      const dtype = graph.tensors[node.inputs[0]].dtype;
      const factory = entry[dtype] ?? entry.any;
      if (factory === undefined) throw new InterpreterError('INTERP_UNSUPPORTED', `${node.op}: no ${dtype} kernel`, { node: node.name });
      this.steps.push(factory(new KernelContext(graph, node, this.arrays, options.observe)));
      this.gatedSteps.push(schedule?.gated[index] ?? false);
    }
  }

  run(inputs: readonly Uint8Array[], options: RunOptions = {}): RunResult {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) {
      throw new InterpreterError('INTERP_INPUT', `the graph has ${g.inputs.length} inputs, got ${inputs.length}`);
    }
    g.inputs.forEach((t, i) => {
      const target = bytesOf(this.arrays[t]);
      if (inputs[i].byteLength !== target.byteLength) {
        throw new InterpreterError('INTERP_INPUT', `input ${i} ('${g.tensors[t].name}') needs ${target.byteLength} bytes, got ${inputs[i].byteLength}`);
      }
      target.set(inputs[i]);
    });
    for (const s of this.states) if (s.kind === 'per-run') fillState(this.arrays[s.index], s.initial);
    // A pipeline's classifier runs on every stride-th run; in between, its outputs keep their last values.
    this.framesSinceGated = (this.framesSinceGated + 1) % this.stride;
    const runGated = this.framesSinceGated === 0;
    this.steps.forEach((step, k) => {
      if (runGated || !this.gatedSteps[k]) step();
    });
    const outputs = g.outputs.map((t) => bytesOf(this.arrays[t]).slice());
    const keep = options.keepIntermediates;
    if (keep === undefined || keep === false) return { outputs };
    const tensors = new Map<number, Uint8Array>();
    g.tensors.forEach((t, i) => {
      if (t.data !== undefined) return;
      if (keep === true || keep(i)) tensors.set(i, bytesOf(this.arrays[i]).slice());
    });
    return { outputs, tensors };
  }

  /**
   * Reset every op state tensor to its initial value: zero, the zero point for int8 (what TFLite Micro's
   * ResetVariableTensors does). Persistent state (LSTM, SVDF in TFLite models) otherwise carries from one run to the
   * next, as in TFLite Micro; per-run state is reset before every run anyway.
   */
  resetState(): void {
    for (const s of this.states) fillState(this.arrays[s.index], s.initial);
    this.framesSinceGated = 0;
  }

  /** A view of a tensor's current values (valid until the next run). */
  tensorValues(index: number): AnyTypedArray {
    const a = this.arrays[index];
    if (a === undefined) throw new InterpreterError('INTERP_INPUT', `tensor index ${index} out of range`);
    return a;
  }
}

/** What TFLite Micro resets a variable tensor to: its zero point if it is int8, else zero bytes. */
function stateInitialValue(t: Tensor): number {
  return t.dtype === 'int8' && t.quant !== undefined ? t.quant.zeroPoint[0] : 0;
}

function fillState(a: AnyTypedArray, value: number): void {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) a.fill(BigInt(value));
  else a.fill(value);
}

function allocate(t: Tensor): AnyTypedArray {
  if (t.data !== undefined) {
    if (t.data.byteLength !== elementCount(t.shape) * dtypeBytes(t.dtype)) {
      throw new InterpreterError('INTERP_GRAPH', `constant '${t.name}' has ${t.data.byteLength} bytes for shape [${t.shape.join(', ')}] ${t.dtype}`);
    }
    return viewAs(t.data, t.dtype);
  }
  const n = elementCount(t.shape);
  if (!Number.isSafeInteger(n) || n > LIMITS.maxTensorElements) {
    throw new InterpreterError('INTERP_GRAPH', `tensor '${t.name}' has ${n} elements, more than the interpreter allocates`);
  }
  return viewAs(new Uint8Array(n * dtypeBytes(t.dtype)), t.dtype);
}
