import { Graph, GraphBuilder } from '@tinyforge/ir';
import { Interpreter, multiplyByQuantizedMultiplier } from '@tinyforge/interpreter';
import { seeded } from '../test-support/float-graphs';
import { NodeSink } from './tflite-rounding';

/**
 * The int64 node chain the QDQ export uses for TFLite's MultiplyByQuantizedMultiplier, run by our interpreter's
 * integer kernels, against the reference (the interpreter's fixed-point arithmetic, itself bit-exact with TFLite
 * Micro's gold outputs). onnxruntime runs the same ops in to-qdq-ort.spec.ts.
 */
function chain(multiplier: number, shift: number, n: number): { graph: Graph; run: (values: number[]) => number[] } {
  const b = new GraphBuilder('requantize');
  const v = b.input({ name: 'v', shape: [n], dtype: 'int64' });
  const graph = b.build();
  const sink = new NodeSink(graph.tensors[v], (t) => graph.tensors.push(t) - 1);
  const out = sink.multiplyByQuantizedMultiplier('q', v, [multiplier], [shift]);
  graph.nodes.push(...sink.nodes);
  graph.outputs = [out];
  const interpreter = new Interpreter(graph);
  return {
    graph,
    run: (values) => {
      const input = new Uint8Array(BigInt64Array.from(values.map((x) => BigInt(x))).buffer);
      return Array.from(new BigInt64Array(interpreter.run([input]).outputs[0].slice().buffer), Number);
    },
  };
}

describe('TFLite requantization as int64 ONNX ops', () => {
  const N = 2048;
  const r = seeded(17);

  it.each(Array.from({ length: 31 }, (_, k) => -k - 1).concat([0, 1, 3]))('equals MultiplyByQuantizedMultiplier for shift %i', (shift) => {
    // TFLite's right shifts are 1..31. |v| stays where TFLite's int32 v·2^left does not wrap; multipliers random in [2^30, 2^31) and 2^30 itself,
    // whose products tie for every odd v (both signs) and whose shifts tie often.
    const limit = 2 ** (31 - Math.max(0, shift)) - 1;
    for (const multiplier of [2 ** 30, Math.floor(r(2 ** 30, 2 ** 31))]) {
      const { run } = chain(multiplier, shift, N);
      const values = Array.from({ length: N }, (_, i) => {
        if (i < 256) return i - 128; // every small value, where ties are dense
        const magnitude = i % 3 === 0 ? limit : i % 3 === 1 ? 2 ** 16 : 2 ** 24;
        return Math.max(-limit, Math.min(limit, Math.round(r(-magnitude, magnitude))));
      });
      const got = run(values);
      const want = values.map((x) => multiplyByQuantizedMultiplier(x, multiplier, shift));
      const differing = want.map((w, i) => (w === got[i] ? -1 : i)).filter((i) => i >= 0);
      expect(differing.map((i) => `v=${values[i]}: ${got[i]} ≠ ${want[i]}`)).toEqual([]);
    }
  });

  it('is made of ops every ONNX runtime has, on int64 only (no float step that could round)', () => {
    const { graph } = chain(1518500250, -7, 4);
    expect([...new Set(graph.nodes.map((n) => n.op))].sort()).toEqual(['Abs', 'Add', 'Div', 'Mul', 'Sign']);
    expect(graph.nodes.every((n) => graph.tensors[n.outputs[0]].dtype === 'int64')).toBe(true);
  });
});
