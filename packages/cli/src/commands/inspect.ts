import { Graph, graphStats, nodeStats, Quantization, shapeToString } from '@tinyforge/ir';
import { ModelFormatError, UnsupportedFeature } from '@tinyforge/model-format';
import { CommandIO, formatTable, humanBytes, humanCount, printable } from '../output';
import { loadModel } from './load-model';

export interface TensorSummary {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { scale: number[]; zeroPoint: number[]; axis?: number };
  /** A 4-D graph input's or output's declared layout (NHWC or NCHW). */
  layout?: string;
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
    const layout = t.shape.length === 4 ? (t.layout ?? 'NHWC') : undefined;
    return { name: t.name, shape: t.shape, dtype: t.dtype, quantization: quantSummary(t.quant), ...(layout === undefined ? {} : { layout }) };
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
  return `  ${printable(t.name)}: ${t.dtype} ${shapeToString(t.shape)}${t.layout === undefined ? '' : ` ${t.layout}`}${q}`;
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

/** What a model uses that tinyforge lacks, one row per operator / type / feature with where it occurs. */
export function formatMissing(file: string, missing: readonly UnsupportedFeature[]): string {
  const rows = missing.map((f) => [f.kind, printable(f.name, 80), String(f.where.length), printable(f.where.slice(0, 4).join(', ') + (f.where.length > 4 ? ', …' : ''), 80)]);
  return [
    `${printable(file, 200)}: not supported by tinyforge (${missing.length} item${missing.length === 1 ? '' : 's'}):`,
    formatTable([{ header: 'kind' }, { header: 'what' }, { header: 'uses', align: 'right' }, { header: 'where' }], rows),
  ].join('\n');
}

export function runInspect(file: string, options: { json?: boolean }, io: CommandIO): void {
  let graph: Graph;
  try {
    graph = loadModel(file, io);
  } catch (e) {
    // A model that uses unsupported features: list all of them, then fail as any other command would.
    if (e instanceof ModelFormatError && e.unsupported.length > 0) {
      io.out(options.json ? JSON.stringify({ file, unsupported: e.unsupported }, null, 2) : formatMissing(file, e.unsupported));
    }
    throw e;
  }
  const result = inspectGraph(graph, file, graph.metadata.sourceFormat ?? 'unknown');
  io.out(options.json ? JSON.stringify(result, null, 2) : formatInspect(result));
}
