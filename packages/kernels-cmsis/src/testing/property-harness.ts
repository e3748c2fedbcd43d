/**
 * Property-test plumbing: a seeded generator, one-node int8 graphs run through @tinyforge/interpreter (the
 * reference) and through the C kernels (lowerNode → vector file → host driver), compared byte for byte. All
 * vectors of a batch go to one driver process so hundreds of cases cost one spawn. Not public API.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Graph, Quantization, SeededRandom, bytesOf } from '@tinyforge/ir';
import { Interpreter } from '@tinyforge/interpreter';
import { lowerNode } from '../lower-node';
import { encodeVectorFile } from '../vector-file';
import { withPackedFilter } from '../pack-conv';
import { withFoldedBias } from '../fold-bias';
import { withInterleavedRows } from '../fc-interleave';

/** ir's seeded generator (the same draws) with int8 vectors for kernel cases. */
export class Rng extends SeededRandom {
  int8s(n: number): Int8Array {
    return Int8Array.from({ length: n }, () => this.int(-128, 127));
  }
}

export const perTensor = (scale: number, zeroPoint: number): Quantization => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], axis: 0 });

export interface PropertyCase {
  label: string;
  graph: Graph;
  /** Raw bytes of each graph input. */
  inputs: Uint8Array[];
}

export interface CaseResult {
  label: string;
  expected: Uint8Array;
  actual: Uint8Array;
}

/**
 * Run every case's single node through the interpreter and the C driver. Returns one result per case; the caller
 * compares (so a failure lists every mismatching case, not the first).
 */
export function runAgainstInterpreter(driver: string, work: string, prefix: string, cases: PropertyCase[], options: { pack?: boolean; fold?: boolean; interleave?: boolean } = {}): CaseResult[] {
  const expected: Uint8Array[] = [];
  const args: string[] = [];
  cases.forEach((c, i) => {
    // Graphs with op state run twice (the vector runner does too): persistent state must carry over.
    const runs = c.graph.tensors.some((t) => t.state !== undefined) ? 2 : 1;
    const interpreter = new Interpreter(c.graph);
    let outputs = interpreter.run(c.inputs).outputs;
    for (let k = 1; k < runs; k++) outputs = interpreter.run(c.inputs).outputs;
    expected.push(outputs[0]);
    const lowered = lowerNode(c.graph, c.graph.nodes[0]);
    const packed = options.pack === true ? withPackedFilter(lowered) : lowered;
    const folded = options.fold === true ? withFoldedBias(packed) : packed;
    const call = options.interleave === true ? withInterleavedRows(folded) : folded;
    const byTensor = new Map(c.graph.inputs.map((t, k) => [t, c.inputs[k]]));
    const inputs = call.inputs.map((t) => {
      const b = byTensor.get(t);
      if (b === undefined) throw new Error(`${c.label}: kernel input ${t} is not a graph input`);
      return new Int8Array(b.buffer, b.byteOffset, b.byteLength);
    });
    const vec = path.join(work, `${prefix}_${i}.vec`);
    fs.writeFileSync(vec, encodeVectorFile(call, inputs));
    args.push(vec, path.join(work, `${prefix}_${i}.out`));
  });
  const run = spawnSync(driver, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vector driver failed (${run.status}): ${run.stderr}`);
  return cases.map((c, i) => ({
    label: c.label,
    expected: expected[i],
    actual: new Uint8Array(fs.readFileSync(path.join(work, `${prefix}_${i}.out`))),
  }));
}

/** Human-readable mismatches: label, differing byte count, first difference. */
export function mismatches(results: CaseResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.actual.length !== r.expected.length) {
      out.push(`${r.label}: ${r.actual.length} bytes, expected ${r.expected.length}`);
      continue;
    }
    let first = -1;
    let count = 0;
    for (let k = 0; k < r.expected.length; k++) {
      if (r.expected[k] !== r.actual[k]) {
        if (first < 0) first = k;
        count++;
      }
    }
    if (count > 0) out.push(`${r.label}: ${count}/${r.expected.length} bytes differ, first at ${first} (got ${r.actual[first]}, expected ${r.expected[first]})`);
  }
  return out;
}

export const bytes = (a: Int8Array | Int16Array | Int32Array | Float32Array | BigInt64Array): Uint8Array => bytesOf(a).slice();
