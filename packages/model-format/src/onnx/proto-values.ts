import { DType, dtypeBytes } from '@tinyforge/ir';
import { onnx } from '@tinyforge/onnx-proto';
import { LIMITS, ModelFormatError } from '../errors';

/** protobufjs decodes int64 as Long when the `long` package is present, else as number. */
export type Int64 = number | { toNumber(): number };

export function toInt(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** ONNX TensorProto.DataType ↔ IR dtype, for the element types the IR has. */
const ONNX_TO_DTYPE: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
};

const ONNX_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

export function onnxTypeName(t: number): string {
  return ONNX_TYPE_NAMES[t] ?? `type ${t}`;
}

export function dtypeFromOnnx(t: number, where: { file?: string; node?: string }, what: string): DType {
  const d = ONNX_TO_DTYPE[t];
  if (d === undefined) throw new ModelFormatError('FORMAT_UNSUPPORTED', `${what} has element type ${onnxTypeName(t)}, which tinyforge does not support`, where);
  return d;
}

export function onnxFromDtype(d: DType): number {
  for (const [k, v] of Object.entries(ONNX_TO_DTYPE)) if (v === d) return Number(k);
  throw new Error(`no ONNX type for ${d}`);
}

/** A constant as ONNX stores it: NCHW order, ONNX shape, raw little-endian bytes. */
export interface OnnxConstant {
  name: string;
  dims: number[];
  dtype: DType;
  data: Uint8Array;
}

/** Check a shape from the file against LIMITS before anything is allocated from it. */
export function checkDims(dims: number[], where: { file?: string; node?: string }, what: string): number {
  if (dims.length > LIMITS.maxRank) throw new ModelFormatError('FORMAT_LIMIT', `${what} has rank ${dims.length}, above the limit ${LIMITS.maxRank}`, where);
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ModelFormatError('FORMAT_MALFORMED', `${what} has invalid dimension ${d}`, where);
    n *= d;
    if (n > LIMITS.maxTensorElements) throw new ModelFormatError('FORMAT_LIMIT', `${what} has more than ${LIMITS.maxTensorElements} elements`, where);
  }
  return n;
}

/** Decode an initializer / Constant value: raw_data or the typed repeated fields. */
export function decodeTensor(t: onnx.ITensorProto, where: { file?: string; node?: string }): OnnxConstant {
  const name = t.name ?? '';
  const what = `tensor '${name}'`;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    throw new ModelFormatError('FORMAT_EXTERNAL_DATA', `${what} keeps its data in an external file; tinyforge reads self-contained models only (save with all tensors inside)`, where);
  }
  if (t.segment) throw new ModelFormatError('FORMAT_UNSUPPORTED', `${what} is segmented`, where);
  const dims = (t.dims ?? []).map(toInt);
  const n = checkDims(dims, where, what);
  const dtype = dtypeFromOnnx(t.dataType ?? 0, where, what);
  const size = dtypeBytes(dtype);
  if (n * size > LIMITS.maxTensorBytes) throw new ModelFormatError('FORMAT_LIMIT', `${what} needs ${n * size} bytes, above the limit ${LIMITS.maxTensorBytes}`, where);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== n * size) throw new ModelFormatError('FORMAT_MALFORMED', `${what}: raw_data has ${raw.length} bytes, ${dtype} ${JSON.stringify(dims)} needs ${n * size}`, where);
    // A copy as a plain Uint8Array (protobufjs may hand out a Buffer view whose slice() does not copy).
    return { name, dims, dtype, data: new Uint8Array(raw) };
  }
  // The typed field must hold n values before n × size bytes are allocated: dims alone are untrusted.
  const field = dtype === 'float32' ? t.floatData : dtype === 'int64' ? t.int64Data : t.int32Data;
  const declared = (field ?? []).length;
  if (declared !== n) {
    throw new ModelFormatError('FORMAT_MALFORMED', `${what}: has ${declared} values, shape ${JSON.stringify(dims)} needs ${n}`, where);
  }
  const data = new Uint8Array(n * size);
  const view = new DataView(data.buffer);
  const take = <T>(field: T[] | null | undefined, fieldName: string): T[] => {
    const values = field ?? [];
    if (values.length !== n) throw new ModelFormatError('FORMAT_MALFORMED', `${what}: ${fieldName} has ${values.length} values, shape ${JSON.stringify(dims)} needs ${n}`, where);
    return values;
  };
  switch (dtype) {
    case 'float32':
      take(t.floatData, 'float_data').forEach((v, i) => view.setFloat32(4 * i, v, true));
      break;
    case 'int64':
      take(t.int64Data, 'int64_data').forEach((v, i) => view.setBigInt64(8 * i, BigInt(toInt(v)), true));
      break;
    case 'int32':
      take(t.int32Data, 'int32_data').forEach((v, i) => view.setInt32(4 * i, v, true));
      break;
    case 'int16':
      take(t.int32Data, 'int32_data').forEach((v, i) => view.setInt16(2 * i, v, true));
      break;
    case 'int8':
      take(t.int32Data, 'int32_data').forEach((v, i) => view.setInt8(i, v));
      break;
    case 'uint8':
    case 'bool':
      take(t.int32Data, 'int32_data').forEach((v, i) => view.setUint8(i, v));
      break;
  }
  return { name, dims, dtype, data };
}

/** Integer values of a constant (shape, axes, pads operands). */
export function constantIntValues(c: OnnxConstant): number[] {
  const v = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  const out: number[] = [];
  const size = dtypeBytes(c.dtype);
  for (let i = 0; i < c.data.byteLength / size; i++) {
    switch (c.dtype) {
      case 'int64':
        out.push(Number(v.getBigInt64(8 * i, true)));
        break;
      case 'int32':
        out.push(v.getInt32(4 * i, true));
        break;
      case 'int16':
        out.push(v.getInt16(2 * i, true));
        break;
      case 'int8':
        out.push(v.getInt8(i));
        break;
      case 'float32':
        out.push(v.getFloat32(4 * i, true));
        break;
      default:
        out.push(v.getUint8(i));
    }
  }
  return out;
}

/** Float values of a float32 constant (Clip bounds, quantization scales). */
export function constantFloatValues(c: OnnxConstant): number[] {
  if (c.dtype !== 'float32') return constantIntValues(c);
  const v = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  return Array.from({ length: c.data.byteLength / 4 }, (_, i) => v.getFloat32(4 * i, true));
}

/** A tensor's declared type and shape from a ValueInfoProto; symbolic dims are undefined, unknown rank is dims: undefined. */
export function valueInfoShape(v: onnx.IValueInfoProto): { dims: (number | undefined)[] | undefined; elemType: number } | undefined {
  const tt = v.type?.tensorType;
  if (!tt) return undefined;
  const dims = tt.shape ? (tt.shape.dim ?? []).map((d) => ((d as onnx.TensorShapeProto.Dimension).value === 'dimValue' ? toInt(d.dimValue) : undefined)) : undefined;
  return { dims, elemType: tt.elemType ?? 0 };
}
