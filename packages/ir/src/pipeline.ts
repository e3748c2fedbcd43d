import { Graph } from './graph';
import { IrValidationError } from './errors';
import { Node } from './ops';
import { validateGraph } from './validate';
import { elementCount, shapeToString, Tensor } from './tensor';

/**
 * A streaming pipeline as one graph: a front end (an audio preprocessor: one frame in, one feature row out) and a
 * classifier reading a window of the latest rows. A FeatureWindow node between them keeps the window as persistent
 * op state (the static state region of a generated program); its `stride` says how often the classifier runs.
 */
export interface PipelineOptions {
  /** Run the classifier every `stride` frames (default 1: every frame, as micro_speech's application runs it). */
  stride?: number;
  /** Prefixes of the two models' tensor and node names (default: the graphs' names; front_end and classifier when equal). */
  names?: [string, string];
}

const ioOf = (g: Graph, which: 'inputs' | 'outputs'): Tensor => g.tensors[g[which][0]];

/**
 * One graph: `front`'s nodes, a FeatureWindow of `rows` = classifier input elements / feature row elements, a
 * Reshape to the classifier's input shape, then `classifier`'s nodes. Inputs: the front end's; outputs: the
 * classifier's. A warning in the metadata says when the front end's output and the classifier's input are quantized
 * differently (the bytes pass unchanged, as between two separate programs).
 */
export function composePipeline(front: Graph, classifier: Graph, options: PipelineOptions = {}): Graph {
  const stride = options.stride ?? 1;
  const fail = (message: string): never => {
    throw new IrValidationError('IR_SHAPE', `pipeline ${front.name} -> ${classifier.name}: ${message}`);
  };
  if (!Number.isInteger(stride) || stride < 1) fail(`stride ${stride} must be a positive integer`);
  if (front.inputs.length !== 1 || front.outputs.length !== 1) fail(`the front end must have one input and one output, it has ${front.inputs.length} and ${front.outputs.length}`);
  if (classifier.inputs.length !== 1) fail(`the classifier must have one input, it has ${classifier.inputs.length}`);
  const [row, x] = [ioOf(front, 'outputs'), ioOf(classifier, 'inputs')];
  const features = elementCount(row.shape);
  const rows = elementCount(x.shape) / features;
  if (features === 0 || !Number.isInteger(rows) || rows < 1) fail(`the classifier's input ${shapeToString(x.shape)} is not whole rows of the front end's ${features} features`);
  if (row.dtype !== x.dtype) fail(`the front end gives ${row.dtype} features, the classifier takes ${x.dtype}`);
  const [frontName, classifierName] = options.names ?? (front.name !== classifier.name ? [front.name, classifier.name] : ['front_end', 'classifier']);
  if (frontName === classifierName) fail(`the two models need different name prefixes, both are '${frontName}'`);
  const merged: Graph = { name: `${frontName}_${classifierName}`, tensors: [], nodes: [], inputs: [], outputs: [], metadata: { sourceFormat: 'pipeline', props: { ...front.metadata.props, ...classifier.metadata.props }, warnings: [...(front.metadata.warnings ?? []), ...(classifier.metadata.warnings ?? [])] } };
  const append = (g: Graph, prefix: string): ((t: number) => number) => {
    const base = merged.tensors.length;
    const at = (t: number): number => (t < 0 ? t : t + base);
    merged.tensors.push(...g.tensors.map((t) => ({ ...t, name: `${prefix}/${t.name}` })));
    merged.nodes.push(...g.nodes.map((n) => ({ ...n, name: `${prefix}/${n.name}`, inputs: n.inputs.map(at), outputs: n.outputs.map(at) }) as Node));
    return at;
  };
  const atFront = append(front, frontName);
  merged.inputs = front.inputs.map(atFront);
  const windowQuant = x.quant;
  const state = merged.tensors.push({ name: 'feature_window/rows', shape: [rows, features], dtype: x.dtype, ...(windowQuant ? { quant: windowQuant } : {}), state: 'persistent' }) - 1;
  const window = merged.tensors.push({ name: 'feature_window', shape: [rows, features], dtype: x.dtype, ...(windowQuant ? { quant: windowQuant } : {}) }) - 1;
  merged.nodes.push({ op: 'FeatureWindow', name: 'feature_window', inputs: [atFront(front.outputs[0]), state], outputs: [window], attrs: { stride } } as Node);
  const atClassifier = append(classifier, classifierName);
  // The window reshaped to the classifier's input (its tensor, now produced here), before the classifier's nodes.
  const reshape = { op: 'Reshape', name: 'feature_window/reshape', inputs: [window], outputs: [atClassifier(classifier.inputs[0])], attrs: {} } as Node;
  merged.nodes.splice(front.nodes.length + 1, 0, reshape);
  merged.outputs = classifier.outputs.map(atClassifier);
  if (!sameQuant(row, x)) {
    merged.metadata.warnings!.push(`the front end's features '${row.name}' (${quantText(row)}) reach the classifier's input '${x.name}' (${quantText(x)}) unchanged, byte for byte, as between two separate programs`);
  }
  const problems = validateGraph(merged);
  if (problems.length > 0) fail(problems[0].message);
  return merged;
}

const quantText = (t: Tensor): string => (t.quant ? `scale ${t.quant.scale[0]}, zero point ${t.quant.zeroPoint[0]}` : 'not quantized');
const sameQuant = (a: Tensor, b: Tensor): boolean => quantText(a) === quantText(b);

/** How a graph's nodes run: those reading a FeatureWindow's output (directly or not) run every `stride`-th run only. */
export interface PipelineSchedule {
  stride: number;
  /** By node index: whether the node runs only on every stride-th run. */
  gated: boolean[];
}

/** The graph's schedule when it holds a FeatureWindow with stride > 1 (at most one); else undefined. */
export function pipelineSchedule(graph: Graph): PipelineSchedule | undefined {
  const windows = graph.nodes.map((n, i) => ({ n, i })).filter(({ n }) => n.op === 'FeatureWindow');
  if (windows.length === 0) return undefined;
  if (windows.length > 1) throw new IrValidationError('IR_SHAPE', `the graph has ${windows.length} FeatureWindow nodes; a pipeline has one`, { node: windows[1].n.name });
  const { n: window, i: at } = windows[0];
  const stride = (window.attrs as { stride: number }).stride;
  if (stride === 1) return undefined;
  const gated = graph.nodes.map(() => false);
  const reached = new Set<number>([window.outputs[0]]);
  for (let i = at + 1; i < graph.nodes.length; i++) {
    if (graph.nodes[i].inputs.some((t) => reached.has(t))) {
      gated[i] = true;
      graph.nodes[i].outputs.forEach((t) => reached.add(t));
    }
  }
  return { stride, gated };
}
