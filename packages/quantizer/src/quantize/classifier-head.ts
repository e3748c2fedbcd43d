import { consumers, Graph, producers } from '@tinyforge/ir';
import { Range, TensorStats } from '../calibration/observers';
import { activationQuant } from './params';

/**
 * A classifier head: the chain of FullyConnected layers computing the logits of a Softmax that is a graph output.
 * The Softmax ranks classes by the logits, and int8 logits hold 256 steps over their calibrated range: two classes
 * whose logits lie within one step come out tied or swapped. (keras2onnx's MNIST model: logits over [−23, 9], a
 * step of 0.126; 8 % of inputs have their two best classes closer than that, and int8 top-1 agreed with float on
 * 971 of 1000 images.) Such a head runs at 16 bits — TFLite's 16x8 kernels, per-channel int8 weights — and its
 * Softmax result is requantized to int8 (TFLite's softmax output, steps of 1/256), so the model's interface stays
 * int8 and the added cost is a few Quantize nodes and 16-bit fully connected layers.
 */
export interface ClassifierHead {
  /** Float-graph node indices: the fully connected layers, then the Softmax. */
  nodes: number[];
  /** The logits tensor (the Softmax's input). */
  logits: number;
}

/** Share of calibration samples whose two best logits may fall within one int8 step before the head goes 16-bit. */
export const HEAD_TIE_RISK = 0.01;

/** Whether the head's int8 logits are left alone ('int8'), always 16-bit ('int16'), or by HEAD_TIE_RISK ('auto'). */
export type HeadPrecision = 'auto' | 'int8' | 'int16';

export function classifierHeads(graph: Graph): ClassifierHead[] {
  const made = producers(graph);
  const readers = consumers(graph);
  const heads: ClassifierHead[] = [];
  graph.nodes.forEach((softmax, s) => {
    if (softmax.op !== 'Softmax' || !graph.outputs.includes(softmax.outputs[0])) return;
    const logits = softmax.inputs[0];
    const chain: number[] = [];
    let t = logits;
    // Back through fully connected layers whose result only the next layer of the head reads.
    while (made[t] >= 0 && graph.nodes[made[t]].op === 'FullyConnected' && readers[t].length === 1 && !graph.outputs.includes(t)) {
      chain.unshift(made[t]);
      t = graph.nodes[made[t]].inputs[0];
    }
    if (chain.length > 0) heads.push({ nodes: [...chain, s], logits });
  });
  return heads;
}

/** A head's share of calibration samples whose two best logits are within one int8 step of the logits' range. */
export function tieRisk(head: ClassifierHead, stats: ReadonlyMap<number, TensorStats>, range: Range): { share: number; step: number } {
  const step = activationQuant(range).scale[0];
  const gaps = stats.get(head.logits)?.topGaps ?? [];
  const close = gaps.filter((g) => g < step).length;
  return { share: gaps.length === 0 ? 0 : close / gaps.length, step };
}
