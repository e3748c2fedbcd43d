import { seededUniform, validateGraph } from '@tinyforge/ir';
import { readOnnx } from '@tinyforge/model-format';
import { recurrentOnnxModel, RecurrentOnnxOptions } from '@tinyforge/model-format/testing';
import { onnx } from '@tinyforge/onnx-proto';
import { Interpreter } from './interpreter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runOrtJobs } = require('../../../tools/testing/ort-runner') as {
  runOrtJobs: (jobs: { model: Uint8Array; feeds: { dtype: string; dims: number[]; data: Float32Array }[] }[]) => ({ data: Float32Array }[] | Error)[];
};

/**
 * PyTorch-style ONNX LSTM and GRU classifiers (built in code, see testing/recurrent-onnx.ts) imported into the IR's
 * recurrent ops and run on the reference interpreter: every output within 1e-4 of its range of onnxruntime's.
 */
const CASES: [string, RecurrentOnnxOptions][] = [
  ['LSTM time-major', { cell: 'LSTM', seed: 1, seq: 7, batch: 2, features: 5, hidden: 8, classes: 4 }],
  ['LSTM batch-first', { cell: 'LSTM', seed: 2, seq: 5, batch: 3, features: 4, hidden: 6, classes: 3, batchFirst: true }],
  ['GRU time-major', { cell: 'GRU', seed: 3, seq: 7, batch: 2, features: 5, hidden: 8, classes: 4 }],
  ['GRU batch-first', { cell: 'GRU', seed: 4, seq: 6, batch: 1, features: 3, hidden: 5, classes: 2, batchFirst: true }],
];

describe('ONNX LSTM / GRU (PyTorch export) against onnxruntime', () => {
  const models = CASES.map(([, o]) => recurrentOnnxModel(o));
  const inputs = CASES.map(([, o], k) => {
    const rnd = seededUniform(100 + k);
    return Float32Array.from({ length: o.seq * o.batch * o.features }, () => 4 * rnd() - 2);
  });
  const dims = (o: RecurrentOnnxOptions): number[] => (o.batchFirst ? [o.batch, o.seq, o.features] : [o.seq, o.batch, o.features]);
  const ort = runOrtJobs(CASES.map(([, o], k) => ({ model: models[k], feeds: [{ dtype: 'float32', dims: dims(o), data: inputs[k] }] })));

  it.each(CASES.map(([name], k) => [name, k] as const))('%s: logits and the output sequence', (name, k) => {
    const graph = readOnnx(models[k], { file: `${name}.onnx` });
    expect(validateGraph(graph)).toEqual([]);
    const op = CASES[k][1].cell === 'LSTM' ? 'UnidirectionalSequenceLstm' : 'UnidirectionalSequenceGru';
    expect(graph.nodes.filter((n) => n.op === op)).toHaveLength(1);
    const reference = ort[k];
    if (reference instanceof Error) throw reference;
    const interpreter = new Interpreter(graph);
    // Twice: ONNX starts every run from the zero initial state ('per-run' state in the IR).
    for (let run = 0; run < 2; run++) {
      const outputs = interpreter.run([new Uint8Array(inputs[k].buffer)]).outputs.map((b) => new Float32Array(b.slice().buffer));
      outputs.forEach((got, j) => {
        const want = reference[j].data;
        const range = Math.max(...want) - Math.min(...want);
        const worst = Math.max(...Array.from(want, (v, i) => Math.abs(got[i] - v)));
        expect(got.length).toBe(want.length);
        expect(worst).toBeLessThanOrEqual(1e-4 * range);
      });
    }
  });

  it('refuses what the IR ops cannot express, naming the node', () => {
    const model = recurrentOnnxModel({ cell: 'LSTM', seed: 1, seq: 2, batch: 1, features: 2, hidden: 2, classes: 2 });
    const m = onnx.ModelProto.decode(model);
    m.graph!.node![0].attribute!.push({ name: 'direction', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('bidirectional') });
    expect(() => readOnnx(onnx.ModelProto.encode(m).finish())).toThrow(expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', message: expect.stringContaining("direction 'bidirectional'") }));
  });
});
