/**
 * One entry for structure-aware mutants of a seed model (TFLite or ONNX): a seeded choice among the file-structure
 * kinds (tflite-mutations.ts, onnx-mutations.ts), the graph-level kinds written back through our writers
 * (graph-mutations.ts) and raw byte kinds (mutateBytes). The same (seed model, seed) always gives the same mutant.
 */
import { Graph, SeededRandom } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { readOnnx } from '../onnx/read-onnx';
import { writeOnnx } from '../onnx/write-onnx';
import { mutateBytes } from '../tflite/fuzz-mutations';
import { readTflite } from '../tflite/reader';
import { writeTflite } from '../tflite/writer';
import { GRAPH_MUTATIONS, mutateGraph } from './graph-mutations';
import { applyOnnxMutation, ONNX_PROTO_MUTATIONS } from './onnx-mutations';
import { applyTreeMutation, TFLITE_TREE_MUTATIONS, TfliteMutantState } from './tflite-mutations';
import { cloneTree, decodeTfliteTree, encodeTfliteTree, FbTable, scalar } from './tflite-tree';

export type SeedFormat = 'tflite' | 'onnx';

/** A seed model with its decoded forms (computed once, shared by all its mutants). */
export class FuzzSeed {
  private tree?: FbTable;
  private graph?: Graph | null;

  constructor(
    readonly name: string,
    readonly format: SeedFormat,
    readonly bytes: Uint8Array,
  ) {}

  tfliteTree(): FbTable {
    this.tree ??= decodeTfliteTree(this.bytes);
    return this.tree;
  }

  /** The seed as a graph, or null when our reader refuses it (then graph-level kinds do not apply). */
  irGraph(): Graph | null {
    if (this.graph === undefined) {
      try {
        this.graph = this.format === 'tflite' ? readTflite(this.bytes) : readOnnx(this.bytes);
      } catch {
        this.graph = null;
      }
    }
    return this.graph;
  }
}

export interface StructuredMutant {
  bytes: Uint8Array;
  /** Mutation kinds applied, e.g. ['quant-zero-point', 'op-input']. */
  kinds: string[];
  /** What was done, for replay reports. */
  description: string;
}

/** Every mutation kind by family (for counting and documentation). */
export const MUTATION_KINDS = {
  tflite: [...TFLITE_TREE_MUTATIONS],
  onnx: [...ONNX_PROTO_MUTATIONS],
  graph: [...GRAPH_MUTATIONS],
  bytes: ['bitflip', 'byteset', 'truncate', 'word', 'length', 'splice'],
} as const;

/** The mutant number `seed` of `model`. */
export function structuredMutant(model: FuzzSeed, seed: number): StructuredMutant {
  const r = new SeededRandom(seed);
  const family = r.next();
  if (family < 0.12) {
    const m = mutateBytes(model.bytes, seed);
    return { bytes: m.bytes, kinds: ['bytes'], description: m.description };
  }
  if (family < 0.4 && model.irGraph() !== null) {
    const g = graphMutant(model, r);
    if (g !== undefined) return g;
  }
  return model.format === 'tflite' ? tfliteMutant(model, r) : onnxMutant(model, r);
}

function graphMutant(model: FuzzSeed, r: SeededRandom): StructuredMutant | undefined {
  let graph = model.irGraph()!;
  const kinds: string[] = [];
  const done: string[] = [];
  for (let k = r.int(1, 2); k > 0; k--) {
    const kind = r.pick(GRAPH_MUTATIONS);
    const m = mutateGraph(graph, kind, r);
    if (m === undefined) continue;
    graph = m.graph;
    kinds.push(kind);
    done.push(m.description);
  }
  if (kinds.length === 0) return undefined;
  try {
    const bytes = model.format === 'tflite' ? writeTflite(graph) : writeOnnx(graph);
    return { bytes, kinds, description: done.join('; ') };
  } catch {
    // Our writer refuses this graph (a type or op the format lacks): the file-level kinds take over.
    return undefined;
  }
}

function tfliteMutant(model: FuzzSeed, r: SeededRandom): StructuredMutant {
  const state: TfliteMutantState = { model: cloneTree(model.tfliteTree()), trailing: [], external: [] };
  const kinds: string[] = [];
  const done: string[] = [];
  for (let attempts = 0, k = r.int(1, 3); k > 0 && attempts < 20; attempts++) {
    const kind = r.pick(TFLITE_TREE_MUTATIONS);
    const what = applyTreeMutation(kind, state, r);
    if (what === undefined) continue;
    kinds.push(kind);
    done.push(what);
    k--;
  }
  let bytes = encodeTfliteTree(state.model);
  if (state.external.length > 0) {
    // External data lives after the flatbuffer: its offsets are known once the flatbuffer's length is.
    for (const e of state.external) e.buffer.fields.set(1, scalar(8, bytes.length + e.delta));
    bytes = encodeTfliteTree(state.model, Uint8Array.from(state.trailing));
  }
  return { bytes, kinds, description: done.join('; ') };
}

function onnxMutant(model: FuzzSeed, r: SeededRandom): StructuredMutant {
  const decoded = onnx.ModelProto.decode(model.bytes);
  const kinds: string[] = [];
  const done: string[] = [];
  for (let attempts = 0, k = r.int(1, 3); k > 0 && attempts < 20; attempts++) {
    const kind = r.pick(ONNX_PROTO_MUTATIONS);
    const what = applyOnnxMutation(kind, decoded, r);
    if (what === undefined) continue;
    kinds.push(kind);
    done.push(what);
    k--;
  }
  return { bytes: onnx.ModelProto.encode(decoded).finish(), kinds, description: done.join('; ') };
}
