import { Graph, graphStats, nodeStats, Quantization, shapeToString } from '@tinyforge/ir';
import { readModelFile } from '@tinyforge/model-format';
import { CommandIO, formatTable, humanBytes, humanCount, printable } from '../output';

export interface TensorSummary {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { scale: number[]; zeroPoint: number[]; axis?: number };
}

export interface LayerSummary {
  index: number;
  name: string;
  op: string;
  outputShape: number[];
  macs: number;
  params: number;
  activationBytes: number;
}

export interface InspectResult {
  file: string;
  format: string;
  name: string;
  producer?: string;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  operatorCount: number;
  opHistogram: Record<string, number>;
  layers: LayerSummary[];
  totals: { macs: number; params: number; paramBytes: number; activationBytes: number; tensors: number };
}

function quantSummary(q: Quantization | undefined): TensorSummary['quantization'] {
  if (q === undefined) return undefined;
  return q.scale.length > 1 ? { scale: q.scale, zeroPoint: q.zeroPoint, axis: q.axis } : { scale: q.scale, zeroPoint: q.zeroPoint };
}

export function inspectGraph(graph: Graph, file: string, format: string): InspectResult {
  const tensor = (i: number): TensorSummary => {
    const t = graph.tensors[i];
    return { name: t.name, shape: t.shape, dtype: t.dtype, quantization: quantSummary(t.quant) };
  };
  const stats = graphStats(graph);
  return {
    file,
    format,
    name: graph.name,
    producer: graph.metadata.producer,
    inputs: graph.inputs.map(tensor),
    outputs: graph.outputs.map(tensor),
    operatorCount: graph.nodes.length,
    opHistogram: stats.opHistogram,
    layers: graph.nodes.map((node, index) => {
      const s = nodeStats(graph, node);
      return {
        index,
        name: node.name,
        op: node.op,
        outputShape: graph.tensors[node.outputs[0]].shape,
        macs: s.macs,
        params: s.params,
        activationBytes: s.activationBytes,
      };
    }),
    totals: {
      macs: stats.macs,
      params: stats.params,
      paramBytes: stats.paramBytes,
      activationBytes: stats.activationBytes,
      tensors: graph.tensors.length,
    },
  };
}

function describeTensor(t: TensorSummary): string {
  let q = '';
  if (t.quantization !== undefined) {
    const { scale, zeroPoint } = t.quantization;
    q = scale.length === 1 ? ` scale=${scale[0].toPrecision(6)} zero_point=${zeroPoint[0]}` : ` per-axis(${scale.length}, axis ${t.quantization.axis})`;
  }
  return `  ${printable(t.name)}: ${t.dtype} ${shapeToString(t.shape)}${q}`;
}

export function formatInspect(r: InspectResult): string {
  const lines: string[] = [];
  lines.push(`${printable(r.file, 200)} (${r.format}${r.producer ? `, ${printable(r.producer)}` : ''})`);
  lines.push('inputs:', ...r.inputs.map(describeTensor));
  lines.push('outputs:', ...r.outputs.map(describeTensor));
  lines.push(
    `operators: ${r.operatorCount} (${Object.entries(r.opHistogram)
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op} ×${n}`)
      .join(', ')})`,
    '',
  );
  lines.push(
    formatTable(
      [
        { header: '#', align: 'right' },
        { header: 'op' },
        { header: 'name' },
        { header: 'output' },
        { header: 'MACs', align: 'right' },
        { header: 'params', align: 'right' },
        { header: 'act bytes', align: 'right' },
      ],
      r.layers.map((l) => [
        String(l.index),
        l.op,
        printable(l.name, 40),
        shapeToString(l.outputShape),
        humanCount(l.macs),
        humanCount(l.params),
        humanBytes(l.activationBytes),
      ]),
    ),
  );
  const t = r.totals;
  lines.push('', `total: ${humanCount(t.macs)} MACs (${t.macs}), ${humanCount(t.params)} params (${humanBytes(t.paramBytes)}), activations ${humanBytes(t.activationBytes)} before planning`);
  return lines.join('\n');
}

export function runInspect(file: string, options: { json?: boolean }, io: CommandIO): void {
  const graph = readModelFile(file);
  const result = inspectGraph(graph, file, graph.metadata.sourceFormat ?? 'unknown');
  io.out(options.json ? JSON.stringify(result, null, 2) : formatInspect(result));
}
