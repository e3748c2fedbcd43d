import { DType, Graph, Node, OpType, Quantization } from '@tinyforge/ir';
import { int16ActivationQuant, quantRange } from './params';

/**
 * Some nodes of an int8 graph running with int16 activations (TFLite's 16x8 kernels): where an int8 tensor meets a
 * 16-bit node, or a 16-bit result meets an int8 node or the graph's outputs, a Quantize (integer → integer, TFLite's
 * Requantize) converts it. A requantized tensor is made once and shared by every reader.
 */
export class MixedPrecision {
  /** Activations holding int16 values. */
  private readonly wideTensors = new Set<number>();
  /** For each 16-bit result, the int8 parameters an int8 reader or a graph output gets. */
  private readonly narrowQuant = new Map<number, Quantization>();
  /** Requantized copies, by source tensor. */
  private readonly copies = new Map<number, number>();

  constructor(
    private readonly g: Graph,
    private readonly params: Map<number, Quantization>,
    private readonly dtypes: Map<number, DType>,
    private readonly wideNodes: ReadonlySet<number>,
  ) {}

  isWide(index: number): boolean {
    return this.wideNodes.has(index);
  }

  /** Requantize what node `index` reads that is of the other activation type; returns the Quantize nodes to run first. */
  adaptInputs(index: number, node: Node): Node[] {
    if (this.wideNodes.size === 0) return [];
    const wide = this.isWide(index);
    const added: Node[] = [];
    node.inputs = node.inputs.map((t) => {
      if (t < 0 || this.g.tensors[t].data !== undefined || !this.params.has(t) || this.wideTensors.has(t) === wide) return t;
      const copy = this.copies.get(t);
      if (copy !== undefined) return copy;
      const q = wide ? int16ActivationQuant(quantRange(this.params.get(t)!)) : this.narrowQuant.get(t)!;
      const { tensor, node: quantize } = this.requantize(t, q, wide, `${this.g.tensors[t].name}/${wide ? 'int16' : 'int8'}`);
      this.copies.set(t, tensor);
      added.push(quantize);
      return tensor;
    });
    return added;
  }

  /**
   * After a 16-bit node: note its int8 parameters (`int8Quant`) for int8 readers; a graph output keeps its tensor
   * index and int8 type, the node writing a new int16 tensor that a Quantize narrows into it.
   */
  narrowOutput(index: number, node: Node, outputs: readonly number[], int8Quant: (op: OpType) => Quantization): Node[] {
    if (!this.isWide(index)) return [];
    const out = node.outputs[0];
    this.wideTensors.add(out);
    this.narrowQuant.set(out, int8Quant(node.op));
    if (!outputs.includes(out)) return [];
    const wide = this.params.get(out)!;
    const tensor = this.g.tensors[out];
    this.g.tensors.push({ name: `${tensor.name}/int16`, shape: [...tensor.shape], dtype: 'float32' });
    const w = this.g.tensors.length - 1;
    this.params.set(w, wide);
    this.dtypes.set(w, 'int16');
    this.dtypes.delete(out);
    this.params.set(out, this.narrowQuant.get(out)!);
    this.wideTensors.delete(out);
    this.wideTensors.add(w);
    node.outputs[0] = w;
    return [{ name: `${node.name}/int8`, op: 'Quantize', attrs: {}, inputs: [w], outputs: [out] }];
  }

  private requantize(source: number, q: Quantization, wide: boolean, name: string): { tensor: number; node: Node } {
    const src = this.g.tensors[source];
    this.g.tensors.push({ name, shape: [...src.shape], dtype: 'float32' });
    const tensor = this.g.tensors.length - 1;
    this.params.set(tensor, q);
    if (wide) {
      this.dtypes.set(tensor, 'int16');
      this.wideTensors.add(tensor);
    }
    return { tensor, node: { name: `${name}/quantize`, op: 'Quantize', attrs: {}, inputs: [source], outputs: [tensor] } };
  }
}
