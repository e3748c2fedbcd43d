/**
 * A TFLite file as a tree of flatbuffer tables that can be changed freely and written back — including into
 * shapes no writer of valid models produces (wrong vector lengths, out-of-range indices, misaligned data, extra
 * subgraphs, external buffers). The structure-aware fuzzer (tflite-mutations.ts) mutates this tree.
 *
 * Known tables are decoded by the schema's field ids (schema.ts); options tables and other unions are kept as raw
 * fields (each field's bytes, its width inferred from the vtable), with the vector fields of the options we know.
 * Only valid seed models are decoded, so decoding trusts offsets.
 */
import { Builder } from 'flatbuffers';
import { BUFFER, METADATA, MODEL, OPERATOR, OPERATOR_CODE, OPTIONS_TYPE, QUANTIZATION, SUBGRAPH, TENSOR, TFLITE_IDENTIFIER } from '../tflite/schema';

export type ScalarSize = 1 | 2 | 4 | 8;

export type FbValue =
  | { t: 'scalar'; size: ScalarSize; bytes: Uint8Array }
  | { t: 'string'; bytes: Uint8Array }
  | {
      t: 'vector';
      elemSize: ScalarSize;
      bytes: Uint8Array;
      /** Alignment of the data (16 for buffers, as the schema's force_align). */
      align?: number;
      /** Bytes by which the data start is moved off its alignment. */
      misalign?: number;
      /** Length written instead of the true element count. */
      lengthOverride?: number;
    }
  | { t: 'table'; table: FbTable }
  | { t: 'tables'; tables: FbTable[]; lengthOverride?: number };

export interface FbTable {
  /** Which table this is ('Model', 'Tensor', … or 'raw' for options and other unions). */
  kind: TableKind;
  fields: Map<number, FbValue>;
}

export type TableKind = 'Model' | 'OperatorCode' | 'SubGraph' | 'Tensor' | 'Quantization' | 'Operator' | 'Buffer' | 'Metadata' | 'SignatureDef' | 'TensorMap' | 'raw';

type FieldType = { s: ScalarSize } | 'string' | { v: ScalarSize; align?: number } | { table: TableKind } | { tables: TableKind } | 'union';

const SCHEMA: Record<Exclude<TableKind, 'raw'>, Record<number, FieldType>> = {
  Model: {
    [MODEL.version]: { s: 4 },
    [MODEL.operatorCodes]: { tables: 'OperatorCode' },
    [MODEL.subgraphs]: { tables: 'SubGraph' },
    [MODEL.description]: 'string',
    [MODEL.buffers]: { tables: 'Buffer' },
    [MODEL.metadataBuffer]: { v: 4 },
    [MODEL.metadata]: { tables: 'Metadata' },
    [MODEL.signatureDefs]: { tables: 'SignatureDef' },
  },
  OperatorCode: { [OPERATOR_CODE.deprecatedBuiltinCode]: { s: 1 }, [OPERATOR_CODE.customCode]: 'string', [OPERATOR_CODE.version]: { s: 4 }, [OPERATOR_CODE.builtinCode]: { s: 4 } },
  SubGraph: { [SUBGRAPH.tensors]: { tables: 'Tensor' }, [SUBGRAPH.inputs]: { v: 4 }, [SUBGRAPH.outputs]: { v: 4 }, [SUBGRAPH.operators]: { tables: 'Operator' }, [SUBGRAPH.name]: 'string' },
  Tensor: {
    [TENSOR.shape]: { v: 4 },
    [TENSOR.type]: { s: 1 },
    [TENSOR.buffer]: { s: 4 },
    [TENSOR.name]: 'string',
    [TENSOR.quantization]: { table: 'Quantization' },
    [TENSOR.isVariable]: { s: 1 },
    [TENSOR.sparsity]: { table: 'raw' },
    [TENSOR.shapeSignature]: { v: 4 },
    8: { s: 1 },
  },
  Quantization: {
    [QUANTIZATION.min]: { v: 4 },
    [QUANTIZATION.max]: { v: 4 },
    [QUANTIZATION.scale]: { v: 4 },
    [QUANTIZATION.zeroPoint]: { v: 8 },
    [QUANTIZATION.detailsType]: { s: 1 },
    [QUANTIZATION.details]: { table: 'raw' },
    [QUANTIZATION.quantizedDimension]: { s: 4 },
  },
  Operator: {
    [OPERATOR.opcodeIndex]: { s: 4 },
    [OPERATOR.inputs]: { v: 4 },
    [OPERATOR.outputs]: { v: 4 },
    [OPERATOR.builtinOptionsType]: { s: 1 },
    [OPERATOR.builtinOptions]: 'union',
    [OPERATOR.customOptions]: { v: 1 },
    [OPERATOR.customOptionsFormat]: { s: 1 },
    [OPERATOR.mutatingVariableInputs]: { v: 1 },
    [OPERATOR.intermediates]: { v: 4 },
    [OPERATOR.largeCustomOptionsOffset]: { s: 8 },
    [OPERATOR.largeCustomOptionsSize]: { s: 8 },
    [OPERATOR.builtinOptions2Type]: { s: 1 },
    [OPERATOR.builtinOptions2]: { table: 'raw' },
  },
  Buffer: { [BUFFER.data]: { v: 1, align: 16 }, [BUFFER.offset]: { s: 8 }, [BUFFER.size]: { s: 8 } },
  Metadata: { [METADATA.name]: 'string', [METADATA.buffer]: { s: 4 } },
  SignatureDef: { 0: { tables: 'TensorMap' }, 1: { tables: 'TensorMap' }, 2: 'string', 3: 'string', 4: { s: 4 } },
  TensorMap: { 0: 'string', 1: { s: 4 } },
};

/** Vector fields of the options tables that have them (ReshapeOptions.new_shape, SqueezeOptions.squeeze_dims). */
const OPTIONS_VECTORS: Record<number, number[]> = {
  [OPTIONS_TYPE.ReshapeOptions]: [0],
  [OPTIONS_TYPE.SqueezeOptions]: [0],
};

// ----------------------------------------------------------------------------------------------------------------
// Decoding

class Decoder {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  root(): FbTable {
    return this.table(this.view.getUint32(0, true), 'Model');
  }

  private target(fieldPos: number): number {
    return fieldPos + this.view.getUint32(fieldPos, true);
  }

  /** Field positions of the table at `pos`: id → absolute position, plus the table's inline size. */
  private layout(pos: number): { fields: Map<number, number>; size: number } {
    const vt = pos - this.view.getInt32(pos, true);
    const vtSize = this.view.getUint16(vt, true);
    const size = this.view.getUint16(vt + 2, true);
    const fields = new Map<number, number>();
    for (let id = 0; 4 + 2 * id < vtSize; id++) {
      const off = this.view.getUint16(vt + 4 + 2 * id, true);
      if (off !== 0) fields.set(id, pos + off);
    }
    return { fields, size };
  }

  table(pos: number, kind: TableKind, vectorIds: readonly number[] = []): FbTable {
    const { fields, size } = this.layout(pos);
    const out: FbTable = { kind, fields: new Map() };
    const schema = kind === 'raw' ? undefined : SCHEMA[kind];
    const sorted = [...fields.entries()].sort((a, b) => a[1] - b[1]);
    for (const [id, at] of fields) {
      const type: FieldType | undefined = schema?.[id] ?? (vectorIds.includes(id) ? { v: 4 } : undefined);
      if (type === undefined) {
        // A raw scalar: as wide as the gap to the next field (or the table end), as a power of two up to 8.
        const next = sorted.find(([, p]) => p > at)?.[1] ?? pos + size;
        const gap = Math.max(1, Math.min(8, next - at));
        const width = (gap >= 8 ? 8 : gap >= 4 ? 4 : gap >= 2 ? 2 : 1) as ScalarSize;
        out.fields.set(id, { t: 'scalar', size: width, bytes: this.bytes.slice(at, at + width) });
      } else if (type === 'string') {
        const s = this.target(at);
        const len = this.view.getUint32(s, true);
        out.fields.set(id, { t: 'string', bytes: this.bytes.slice(s + 4, s + 4 + len) });
      } else if (type === 'union') {
        const typeAt = fields.get(id - 1);
        const typeCode = typeAt === undefined ? 0 : this.bytes[typeAt];
        out.fields.set(id, { t: 'table', table: this.table(this.target(at), 'raw', OPTIONS_VECTORS[typeCode] ?? []) });
      } else if ('s' in type) {
        out.fields.set(id, { t: 'scalar', size: type.s, bytes: this.bytes.slice(at, at + type.s) });
      } else if ('v' in type) {
        const v = this.target(at);
        const n = this.view.getUint32(v, true);
        out.fields.set(id, { t: 'vector', elemSize: type.v, bytes: this.bytes.slice(v + 4, v + 4 + n * type.v), align: type.align });
      } else if ('table' in type) {
        out.fields.set(id, { t: 'table', table: this.table(this.target(at), type.table) });
      } else {
        const v = this.target(at);
        const n = this.view.getUint32(v, true);
        const tables: FbTable[] = [];
        for (let i = 0; i < n; i++) tables.push(this.table(this.target(v + 4 + 4 * i), type.tables));
        out.fields.set(id, { t: 'tables', tables });
      }
    }
    return out;
  }
}

/** Decode a valid TFLite file into a tree. */
export function decodeTfliteTree(bytes: Uint8Array): FbTable {
  return new Decoder(bytes).root();
}

// ----------------------------------------------------------------------------------------------------------------
// Encoding

/** Write a tree back as a TFLite file, followed by `trailing` bytes (data of external buffers). */
export function encodeTfliteTree(model: FbTable, trailing?: Uint8Array): Uint8Array {
  const b = new Builder(1 << 16);
  b.forceDefaults(true);
  const root = encodeTable(b, model);
  b.finish(root, TFLITE_IDENTIFIER);
  const body = b.asUint8Array();
  if (trailing === undefined || trailing.length === 0) return body.slice();
  const out = new Uint8Array(body.length + trailing.length);
  out.set(body);
  out.set(trailing, body.length);
  return out;
}

function rawVector(b: Builder, bytes: Uint8Array, count: number, align: number, misalign: number): number {
  const n = bytes.length + misalign;
  b.prep(4, n);
  b.prep(Math.max(align, 4), n);
  for (let i = 0; i < misalign; i++) b.writeInt8(0);
  for (let i = bytes.length - 1; i >= 0; i--) b.writeInt8(bytes[i]);
  b.prep(1, 4);
  b.writeInt32(count | 0);
  return b.offset();
}

function offsetVector(b: Builder, offsets: number[], count: number): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  const v = b.endVector();
  if (count === offsets.length) return v;
  // Patch the length word just written (the vector's start) with the override.
  const bb = b.dataBuffer();
  bb.writeInt32(bb.capacity() - v, count | 0);
  return v;
}

function encodeTable(b: Builder, table: FbTable): number {
  const ids = [...table.fields.keys()].sort((x, y) => x - y);
  const offsets = new Map<number, number>();
  for (const id of ids) {
    const v = table.fields.get(id)!;
    if (v.t === 'string') offsets.set(id, b.createString(v.bytes));
    else if (v.t === 'vector') offsets.set(id, rawVector(b, v.bytes, v.lengthOverride ?? v.bytes.length / v.elemSize, v.align ?? v.elemSize, v.misalign ?? 0));
    else if (v.t === 'table') offsets.set(id, encodeTable(b, v.table));
    else if (v.t === 'tables') offsets.set(id, offsetVector(b, v.tables.map((t) => encodeTable(b, t)), v.lengthOverride ?? v.tables.length));
  }
  b.startObject(ids.length === 0 ? 0 : ids[ids.length - 1] + 1);
  for (const id of ids) {
    const v = table.fields.get(id)!;
    if (v.t !== 'scalar') {
      b.addFieldOffset(id, offsets.get(id)!, 0);
      continue;
    }
    const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
    if (v.size === 1) b.addFieldInt8(id, dv.getInt8(0), 0);
    else if (v.size === 2) b.addFieldInt16(id, dv.getInt16(0, true), 0);
    else if (v.size === 4) b.addFieldInt32(id, dv.getInt32(0, true), 0);
    else b.addFieldInt64(id, dv.getBigInt64(0, true), BigInt(0));
  }
  return b.endObject();
}

// ----------------------------------------------------------------------------------------------------------------
// Access helpers for mutations

export function scalar(size: ScalarSize, value: number | bigint, float = false): FbValue {
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  if (size === 8) dv.setBigInt64(0, BigInt.asIntN(64, BigInt(value)), true);
  else if (size === 4 && float) dv.setFloat32(0, Number(value), true);
  else if (size === 4) dv.setInt32(0, Number(value) | 0, true);
  else if (size === 2) dv.setInt16(0, Number(value), true);
  else dv.setInt8(0, Number(value) << 24 >> 24);
  return { t: 'scalar', size, bytes };
}

export function int32Vector(values: readonly number[]): FbValue {
  const bytes = new Uint8Array(values.length * 4);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setInt32(i * 4, v | 0, true));
  return { t: 'vector', elemSize: 4, bytes };
}

export function float32Vector(values: readonly number[]): FbValue {
  const bytes = new Uint8Array(values.length * 4);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return { t: 'vector', elemSize: 4, bytes };
}

export function int64Vector(values: readonly (number | bigint)[]): FbValue {
  const bytes = new Uint8Array(values.length * 8);
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => dv.setBigInt64(i * 8, BigInt.asIntN(64, BigInt(v)), true));
  return { t: 'vector', elemSize: 8, bytes };
}

/** The elements of a vector field as numbers (int32 / float32 / int64 by `as`). */
export function vectorValues(v: FbValue | undefined, as: 'i32' | 'f32' | 'i64' = 'i32'): number[] {
  if (v === undefined || v.t !== 'vector') return [];
  const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
  const out: number[] = [];
  const size = as === 'i64' ? 8 : 4;
  for (let i = 0; i + size <= v.bytes.length; i += size) {
    out.push(as === 'i32' ? dv.getInt32(i, true) : as === 'f32' ? dv.getFloat32(i, true) : Number(dv.getBigInt64(i, true)));
  }
  return out;
}

export function scalarValue(v: FbValue | undefined, dflt = 0): number {
  if (v === undefined || v.t !== 'scalar') return dflt;
  const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
  if (v.size === 1) return dv.getInt8(0);
  if (v.size === 2) return dv.getInt16(0, true);
  if (v.size === 4) return dv.getInt32(0, true);
  return Number(dv.getBigInt64(0, true));
}

export function tablesOf(t: FbTable | undefined, id: number): FbTable[] {
  const v = t?.fields.get(id);
  return v?.t === 'tables' ? v.tables : [];
}

export function tableOf(t: FbTable | undefined, id: number): FbTable | undefined {
  const v = t?.fields.get(id);
  return v?.t === 'table' ? v.table : undefined;
}

/** A deep copy (mutations work on copies of the decoded seed). */
export function cloneTree(t: FbTable): FbTable {
  const fields = new Map<number, FbValue>();
  for (const [id, v] of t.fields) {
    if (v.t === 'table') fields.set(id, { t: 'table', table: cloneTree(v.table) });
    else if (v.t === 'tables') fields.set(id, { ...v, tables: v.tables.map(cloneTree) });
    else fields.set(id, { ...v, bytes: v.bytes.slice() });
  }
  return { kind: t.kind, fields };
}
