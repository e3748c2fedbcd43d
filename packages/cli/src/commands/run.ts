import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildHostProgram, generateC, runHostProgram } from '@tinyforge/codegen-c';
import { Graph, shapeToString, tensorBytes, viewAs } from '@tinyforge/ir';
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

const ENGINES = ['ref', 'host'];

interface EngineRun {
  outputs: Uint8Array[];
  /** Every activation tensor by index, when a dump was asked for. */
  tensors?: Map<number, Uint8Array>;
  milliseconds: number;
}

/** The TypeScript reference interpreter. */
function runReference(graph: Graph, inputs: Uint8Array[], dump: boolean): EngineRun {
  const interpreter = new Interpreter(graph);
  const started = process.hrtime.bigint();
  const result = interpreter.run(inputs, { keepIntermediates: dump });
  return { outputs: result.outputs, tensors: result.tensors, milliseconds: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Generated C + kernels-cmsis compiled with the host gcc (a debug-dump build when a dump is asked for). */
function runHost(graph: Graph, inputs: Uint8Array[], dump: boolean): EngineRun {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyforge-host-'));
  try {
    const generated = generateC(graph, { prefix: 'model' });
    const program = buildHostProgram(graph, generated, work, { debugDump: dump });
    const dumpDir = dump ? fs.mkdtempSync(path.join(work, 'dump-')) : undefined;
    const started = process.hrtime.bigint();
    const run = runHostProgram(program, concatBytes(inputs), dumpDir);
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    let at = 0;
    const outputs = graph.outputs.map((t) => {
      const n = tensorBytes(graph.tensors[t]);
      const part = run.output.slice(at, at + n);
      at += n;
      return part;
    });
    let tensors: Map<number, Uint8Array> | undefined;
    if (dumpDir !== undefined) {
      tensors = new Map();
      graph.inputs.forEach((t, i) => tensors?.set(t, inputs[i]));
      for (const f of fs.readdirSync(dumpDir)) {
        const m = /^t(\d+)\.bin$/.exec(f);
        if (m) tensors.set(Number(m[1]), new Uint8Array(fs.readFileSync(path.join(dumpDir, f))));
      }
    }
    return { outputs, tensors, milliseconds };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

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
  const dump = options.dump !== undefined;
  const inputs = splitInputs(graph, inputBytes); // checks the size before any engine runs
  const result = options.engine === 'host' ? runHost(graph, inputs, dump) : runReference(graph, inputs, dump);
  const milliseconds = result.milliseconds;

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
