import * as fs from 'fs';
import * as path from 'path';
import { Graph, shapeToString, viewAs } from '@tinyforge/ir';
import { concatBytes, Interpreter, splitInputs } from '@tinyforge/interpreter';
import { readModelFile, writeFileAtomic } from '@tinyforge/model-format';
import { UsageError } from '../cli-error';
import { CommandIO, printable } from '../output';

export interface RunCommandOptions {
  input: string;
  output?: string;
  engine: string;
  dump?: string;
  json?: boolean;
}

export interface RunResultSummary {
  model: string;
  engine: string;
  outputs: { name: string; dtype: string; shape: number[]; values: number[] }[];
  outputFile?: string;
  dumpDir?: string;
  dumpedTensors?: number;
  milliseconds: number;
}

const ENGINES = ['ref'];

/** `tinyforge run MODEL --input IN.bin [--output OUT.bin] --engine ref [--dump DIR]`: raw bytes in model order. */
export function runRun(model: string, options: RunCommandOptions, io: CommandIO): void {
  if (!ENGINES.includes(options.engine)) throw new UsageError(`unknown engine '${options.engine}' (available: ${ENGINES.join(', ')})`);
  const graph = readModelFile(model);
  let inputBytes: Uint8Array;
  try {
    inputBytes = fs.readFileSync(options.input);
  } catch (e) {
    throw new UsageError(`cannot read --input ${options.input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const interpreter = new Interpreter(graph);
  const started = process.hrtime.bigint();
  const result = interpreter.run(splitInputs(graph, inputBytes), { keepIntermediates: options.dump !== undefined });
  const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;

  if (options.output !== undefined) writeFileAtomic(options.output, concatBytes(result.outputs));
  let dumpedTensors: number | undefined;
  if (options.dump !== undefined && result.tensors !== undefined) dumpedTensors = dumpTensors(graph, result.tensors, options.dump);

  const summary: RunResultSummary = {
    model,
    engine: options.engine,
    outputs: graph.outputs.map((t, i) => ({
      name: graph.tensors[t].name,
      dtype: graph.tensors[t].dtype,
      shape: graph.tensors[t].shape,
      values: Array.from(viewAs(result.outputs[i], graph.tensors[t].dtype) as ArrayLike<number | bigint>, Number),
    })),
    outputFile: options.output,
    dumpDir: options.dump,
    dumpedTensors,
    milliseconds,
  };
  if (options.json) {
    io.out(JSON.stringify(summary, null, 2));
    return;
  }
  for (const o of summary.outputs) {
    const shown = o.values.length > 16 ? `${o.values.slice(0, 16).join(' ')} … (${o.values.length} values)` : o.values.join(' ');
    io.out(`${printable(o.name)}: ${o.dtype} ${shapeToString(o.shape)} = ${shown}`);
  }
  io.out(`engine ${options.engine}: ${milliseconds.toFixed(1)} ms${options.output ? `, wrote ${printable(options.output, 200)}` : ''}${dumpedTensors !== undefined ? `, dumped ${dumpedTensors} tensors to ${printable(options.dump ?? '', 200)}` : ''}`);
}

/**
 * Every activation tensor as `t<index>.bin` plus `tensors.json` (index, name, op that produced it, dtype, shape,
 * quantization) — the layout of the gold `layers_0/` folders. Written to a temporary folder, then renamed.
 */
function dumpTensors(graph: Graph, tensors: Map<number, Uint8Array>, dir: string): number {
  const parent = path.dirname(path.resolve(dir));
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.`));
  try {
    const producer = new Map<number, { index: number; op: string }>();
    graph.nodes.forEach((n, index) => n.outputs.forEach((t) => producer.set(t, { index, op: n.op })));
    const index: unknown[] = [];
    for (const [t, bytes] of [...tensors].sort((a, b) => a[0] - b[0])) {
      fs.writeFileSync(path.join(tmp, `t${t}.bin`), bytes);
      const tensor = graph.tensors[t];
      index.push({ tensor: t, name: tensor.name, op_index: producer.get(t)?.index ?? null, op: producer.get(t)?.op ?? null, dtype: tensor.dtype, shape: tensor.shape, quant: tensor.quant ?? null });
    }
    fs.writeFileSync(path.join(tmp, 'tensors.json'), JSON.stringify(index, null, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    return tensors.size;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
