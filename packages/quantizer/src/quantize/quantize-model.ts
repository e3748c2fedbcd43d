import { Graph } from '@tinyforge/ir';
import { activationTensors, calibrate, Sample } from '../calibration/calibrate';
import { CalibrationMethod, chooseRange, DEFAULT_CALIBRATION_METHOD, Range, TensorStats } from '../calibration/observers';
import { QuantizerError } from '../errors';
import { hybridWeights, NamedPass, FLOAT_PASSES, runFloatPasses } from '../passes';
import { BiasCorrection, correctBiases } from './bias-correction';
import { classifierHeads, HeadPrecision, HEAD_TIE_RISK, tieRisk } from './classifier-head';
import { ActivationType, buildInt8Graph, checkQuantizable, IoType } from './quantize-graph';

export interface QuantizeOptions {
  /** Calibration method (default DEFAULT_CALIBRATION_METHOD). */
  method?: CalibrationMethod;
  /** Kept percentile for the percentile method (default 99.99). */
  percentile?: number;
  perTensor?: boolean;
  perChannelFullyConnected?: boolean;
  io?: IoType;
  /** int8 (default) or int16 activations with int8 weights (TFLite's 16x8 mode). */
  activations?: ActivationType;
  passes?: readonly NamedPass[];
  /**
   * The fully connected head of a Softmax output (classifier-head.ts): 'auto' (default) runs it at 16 bits when its
   * int8 logits would leave the two best classes within one step on more than HEAD_TIE_RISK of the calibration
   * samples; 'int8' keeps it int8 (with a warning then), 'int16' always runs it at 16 bits. Ignored with int16
   * activations.
   */
  head?: HeadPrecision;
  /** Empirical bias correction of conv / depthwise / FC layers (bias-correction.ts), on the first 32 samples. */
  biasCorrection?: boolean;
  /** Calibration's progress (samples). */
  onProgress?: (done: number, total: number) => void;
  /** Bias correction's progress (samples). */
  onBiasProgress?: (done: number, total: number) => void;
}

export interface QuantizeResult {
  /** The float graph after the passes: the reference the int8 graph is measured against (same tensor indices). */
  floatGraph: Graph;
  int8Graph: Graph;
  /** Calibration statistics and the range chosen, by float tensor index. */
  stats: Map<number, TensorStats>;
  ranges: Map<number, Range>;
  /** Per corrected layer, with biasCorrection. */
  biasCorrections?: BiasCorrection[];
  /** Calibrated ranges inside recurrent nodes (cell state, gate inputs), keyed `node/what`. */
  internalRanges: Map<string, Range>;
  /** What the quantization had to assume or may lose (e.g. LSTM gate inputs beyond what the kernel holds). */
  warnings: string[];
  /** What the quantizer assumed or changed that the user should know (a hybrid model's weights dequantized). */
  notes: string[];
}

/** Samples bias correction averages over: per-channel means over every output position converge quickly. */
const BIAS_CORRECTION_SAMPLES = 32;

/**
 * A float model has float32 inputs and outputs and computes in float32; its weights may be stored as int8 (a
 * hybrid model, dequantized first) or behind Dequantize nodes. An already quantized model is refused saying so.
 */
export function checkFloatModel(graph: Graph): void {
  const quantizedIo = [...graph.inputs, ...graph.outputs].map((t) => graph.tensors[t]).find((tensor) => tensor.dtype !== 'float32');
  if (quantizedIo !== undefined) {
    const already = quantizedIo.dtype === 'int8' || quantizedIo.dtype === 'uint8' || quantizedIo.dtype === 'int16';
    throw new QuantizerError(
      'QUANT_NOT_FLOAT',
      already
        ? `the model is already quantized (its ${graph.inputs.includes(graph.tensors.indexOf(quantizedIo)) ? 'input' : 'output'} '${quantizedIo.name}' is ${quantizedIo.dtype}): it needs no quantization — give it to codegen, build or run as it is`
        : `'${quantizedIo.name}' is ${quantizedIo.dtype}: the quantizer takes a float32 model`,
    );
  }
  for (const node of graph.nodes) {
    for (const t of node.outputs) {
      if (graph.tensors[t].dtype !== 'float32' && node.op !== 'Quantize') {
        throw new QuantizerError('QUANT_NOT_FLOAT', `'${graph.tensors[t].name}' is ${graph.tensors[t].dtype}: the quantizer takes a float32 model`, { node: node.name });
      }
    }
  }
}

/** Float passes, calibration, range choice and the int8 graph, in that order. */
export function quantizeModel(graph: Graph, samples: readonly Sample[], options: QuantizeOptions = {}): QuantizeResult {
  checkFloatModel(graph);
  if (options.activations === 'int16' && options.biasCorrection) {
    throw new QuantizerError('QUANT_UNSUPPORTED', 'bias correction is implemented for int8 activations only; drop it or quantize with int8 activations');
  }
  const hybrid = hybridWeights(graph).length;
  const notes =
    hybrid > 0
      ? [`hybrid model (int8 weights, float activations): ${hybrid} int8 weight tensor${hybrid === 1 ? '' : 's'} dequantized to float32, then the model quantized like a float one (weights re-quantized with this quantizer's scales)`]
      : [];
  const method = options.method ?? DEFAULT_CALIBRATION_METHOD;
  const floatGraph = runFloatPasses(graph, options.passes ?? FLOAT_PASSES);
  checkQuantizable(floatGraph, options.activations);
  const internalRanges = new Map<string, Range>();
  const heads = options.activations === 'int16' ? [] : classifierHeads(floatGraph);
  const topGaps = new Set(heads.map((h) => h.logits));
  const stats = calibrate(floatGraph, samples, { method, onProgress: options.onProgress, internal: internalRanges, topGaps });
  const ranges = new Map<number, Range>();
  for (const t of activationTensors(floatGraph)) ranges.set(t, chooseRange(method, stats.get(t)!, { percentile: options.percentile ?? 99.99 }));
  const warnings: string[] = [];
  const int16Nodes = new Set<number>();
  for (const head of heads) {
    const risk = tieRisk(head, stats, ranges.get(head.logits)!);
    const risky = risk.share > HEAD_TIE_RISK;
    const names = head.nodes.map((n) => `'${floatGraph.nodes[n].name}'`).join(', ');
    const measured = `its int8 logits (steps of ${risk.step.toPrecision(3)}) leave the two best classes within one step on ${(risk.share * 100).toFixed(1)} % of the calibration samples`;
    if (options.head === 'int16' || (risky && options.head !== 'int8')) {
      head.nodes.forEach((n) => int16Nodes.add(n));
      notes.push(`classifier head ${names} quantized 16x8 (int16 activations, per-channel int8 weights; the output requantized to int8): ${options.head === 'int16' ? 'as asked' : measured}`);
    } else if (risky) {
      warnings.push(`classifier head ${names}: ${measured}, where int8 top-1 may tie or swap; the 16x8 head (--head int16) keeps them apart`);
    }
  }
  const int8Graph = buildInt8Graph(floatGraph, ranges, {
    perTensor: options.perTensor ?? false,
    perChannelFullyConnected: options.perChannelFullyConnected ?? false,
    io: options.io ?? 'int8',
    activations: options.activations,
    internalRanges,
    warnings,
    int16Nodes,
  });
  const biasCorrections = options.biasCorrection ? correctBiases(floatGraph, int8Graph, samples.slice(0, BIAS_CORRECTION_SAMPLES), options.onBiasProgress) : undefined;
  return { floatGraph, int8Graph, stats, ranges, biasCorrections, internalRanges, warnings, notes };
}
