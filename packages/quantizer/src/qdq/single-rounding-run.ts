import { Graph, isWeighted } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { singleRoundingAveragePool } from './average-pool-rounding';
import { singleRoundingOutput } from './rounding-analysis';
import { singleNodeGraph } from './single-node';

/**
 * Our int8 graph computed with the rounding onnxruntime's integer kernels use: conv / depthwise / fully-connected
 * requantization rounded once (ties to even) instead of TFLite's two roundings, average pools rounded half to even;
 * every other op as our interpreter computes it. Comparing onnxruntime with this run, instead of with ours, shows
 * how much of an end-to-end difference is rounding rules alone.
 */
export class SingleRoundingRun {
  private readonly others = new Map<number, { interpreter: Interpreter; sources: number[] }>();

  constructor(private readonly graph: Graph) {
    graph.nodes.forEach((node, k) => {
      if (isWeighted(node) || node.op === 'AveragePool2D') return;
      const { graph: one, sources } = singleNodeGraph(graph, node);
      this.others.set(k, { interpreter: new Interpreter(one), sources });
    });
  }

  /** Every activation tensor (graph inputs included) by tensor index. */
  run(inputs: readonly Uint8Array[]): Map<number, Uint8Array> {
    const g = this.graph;
    const tensors = new Map<number, Uint8Array>();
    g.inputs.forEach((t, i) => tensors.set(t, inputs[i]));
    g.nodes.forEach((node, k) => {
      let out: Uint8Array;
      if (isWeighted(node)) out = bytes(singleRoundingOutput(g, node, tensors));
      else if (node.op === 'AveragePool2D') out = bytes(singleRoundingAveragePool(g, node, tensors));
      else {
        const other = this.others.get(k)!;
        out = other.interpreter.run(other.sources.map((t) => tensors.get(t)!)).outputs[0];
      }
      tensors.set(node.outputs[0], out);
    });
    return tensors;
  }
}

const bytes = (a: Int8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
