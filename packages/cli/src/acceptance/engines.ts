/**
 * Test support for the acceptance specs of sequence and 16-bit models: one model on every engine — the reference
 * interpreter, the host engine (generated C compiled with gcc) and virtual boards — over a sequence of inputs in one
 * process (op state carrying over as on a board), and graph rewrites that let one firmware serve many cases:
 * several single-op models side by side, every intermediate tensor as an output, per-run state. Not public API.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { Graph, Tensor, tensorBytes } from '@tinyforge/ir';
import { concatBytes, Interpreter } from '@tinyforge/interpreter';
import { loadTarget } from '@tinyforge/boards';
import { runOnBoard } from '../pipeline';

/** The reference interpreter, one instance over all inputs in turn: all outputs of each run back to back. */
export function runReference(graph: Graph, inputs: Uint8Array[]): Uint8Array[] {
  const interpreter = new Interpreter(graph);
  return inputs.map((input) => concatBytes(interpreter.run(splitBytes(graph, input, 'inputs')).outputs));
}

/** The host engine: one build, one process running every input in turn. */
export function runHostEngine(graph: Graph, inputs: Uint8Array[]): Uint8Array[] {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-accept-host-'));
  try {
    const program = buildHostProgram(graph, generateC(graph, { prefix: 'model' }), work, {});
    const out = runHostProgram(program, concatBytes(inputs)).output;
    const size = ioBytes(graph, 'outputs');
    return inputs.map((_, k) => out.slice(k * size, (k + 1) * size));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A virtual board: one firmware, one boot, every input in turn; also the instructions of each inference. QEMU loads
 * the application image where the bootloader would have flashed it (`load: 'direct'`): these specs check what the
 * firmware computes; flashing it over the AN3155 bootloader (seconds of emulated serial per image) is what the
 * run-on-board, run-board, flash and mlperf specs check.
 */
export async function runBoardEngine(graph: Graph, board: string, inputs: Uint8Array[]): Promise<{ outputs: Uint8Array[]; instructions: number[]; arenaBytes: number }> {
  const r = await runOnBoard({ model: graph, board: loadTarget(board), inputs, inferenceTimeoutMs: 120_000, load: 'direct' });
  return { outputs: r.outputs, instructions: r.invokeCounts, arenaBytes: r.arenaBytes };
}

export const ioBytes = (graph: Graph, which: 'inputs' | 'outputs'): number => graph[which].reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);

/** One run's bytes split per graph input (or output). */
export function splitBytes(graph: Graph, bytes: Uint8Array, which: 'inputs' | 'outputs'): Uint8Array[] {
  let at = 0;
  return graph[which].map((t) => {
    const n = tensorBytes(graph.tensors[t]);
    const part = bytes.slice(at, at + n);
    at += n;
    return part;
  });
}

/** Every node output is also a graph output (after the model's own), so that every engine returns them all. */
export function withAllOutputs(graph: Graph): Graph {
  const extra = graph.nodes.flatMap((n) => n.outputs).filter((t) => !graph.outputs.includes(t));
  return { ...graph, outputs: [...graph.outputs, ...extra] };
}

/** The graph with every op state tensor reset at each run (TFLite Micro's evaluation resets per example). */
export function withPerRunState(graph: Graph): Graph {
  return { ...graph, tensors: graph.tensors.map((t): Tensor => (t.state !== undefined ? { ...t, state: 'per-run' } : t)) };
}

/** Several graphs side by side in one (inputs and outputs in the given order); tensor names prefixed by `names`. */
export function sideBySide(name: string, graphs: Graph[], names: string[]): Graph {
  const merged: Graph = { name, tensors: [], nodes: [], inputs: [], outputs: [], metadata: { props: {} } };
  graphs.forEach((g, k) => {
    const base = merged.tensors.length;
    const at = (t: number): number => (t < 0 ? t : t + base);
    merged.tensors.push(...g.tensors.map((t) => ({ ...t, name: `${names[k]}/${t.name}` })));
    merged.nodes.push(...g.nodes.map((n) => ({ ...n, name: `${names[k]}/${n.name}`, inputs: n.inputs.map(at), outputs: n.outputs.map(at) })) as Graph['nodes']);
    merged.inputs.push(...g.inputs.map(at));
    merged.outputs.push(...g.outputs.map(at));
  });
  return merged;
}

/** The index of the largest value. */
export const argmax = (v: ArrayLike<number>): number => Array.from(v).reduce((best, x, i, a) => (x > a[best] ? i : best), 0);
