import { onnx } from '@tinyforge/onnx-proto';

/**
 * Small ONNX models written node by node, for tests that need what an exporter would write (nodes out of order, a
 * cycle, ops the IR writer does not emit): inputs and outputs with declared shapes, float32 initializers, and
 * attributes as plain values (number → INT, number[] → INTS, string → STRING, { f } → FLOAT, { fs } → FLOATS).
 */
export interface OnnxTestNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, number | number[] | string | { f: number } | { fs: number[] }>;
  domain?: string;
}

export interface OnnxTestModel {
  inputs: { name: string; dims: (number | string)[]; elemType?: number }[];
  outputs: { name: string; dims?: (number | string)[]; elemType?: number }[];
  nodes: OnnxTestNode[];
  /** float32 (or int64 with `int64: true`) constants. */
  initializers?: { name: string; dims: number[]; values: number[]; int64?: boolean }[];
  opset?: number;
}

const T = onnx.AttributeProto.AttributeType;

function attribute(name: string, v: NonNullable<OnnxTestNode['attrs']>[string]): onnx.IAttributeProto {
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.FLOATS, floats: v.fs };
}

function valueInfo(v: { name: string; dims?: (number | string)[]; elemType?: number }): onnx.IValueInfoProto {
  const dim = v.dims?.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: v.elemType ?? onnx.TensorProto.DataType.FLOAT, ...(dim === undefined ? {} : { shape: { dim } }) } } };
}

export function onnxTestModel(m: OnnxTestModel): Uint8Array {
  const initializer = (m.initializers ?? []).map((t) =>
    t.int64
      ? { name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(BigInt64Array.from(t.values.map(BigInt)).buffer) }
      : { name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(Float32Array.from(t.values).buffer) },
  );
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'tinyforge-test',
    opsetImport: [{ domain: '', version: m.opset ?? 13 }],
    graph: {
      name: 'test',
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
      initializer,
      node: m.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  };
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}
