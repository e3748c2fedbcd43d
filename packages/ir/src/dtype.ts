/** Element types the IR supports. Names follow numpy/TFLite spelling. */
export const DTYPES = ['float32', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool', 'uint32', 'uint64'] as const;
export type DType = (typeof DTYPES)[number];

const BYTES: Record<DType, number> = {
  float32: 4,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  uint32: 4,
  uint64: 8,
};

export function dtypeBytes(dtype: DType): number {
  return BYTES[dtype];
}

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}

export function isQuantizedDType(dtype: DType): boolean {
  return dtype === 'int8' || dtype === 'uint8' || dtype === 'int16';
}

export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int8'
    ? Int8Array
    : D extends 'uint8' | 'bool'
      ? Uint8Array
      : D extends 'int16'
        ? Int16Array
        : D extends 'int32'
          ? Int32Array
          : D extends 'uint32'
            ? Uint32Array
            : D extends 'uint64'
              ? BigUint64Array
              : BigInt64Array;

export type AnyTypedArray = Float32Array | Int8Array | Uint8Array | Int16Array | Int32Array | BigInt64Array | Uint32Array | BigUint64Array;

/**
 * View little-endian raw bytes as a typed array of `dtype`. Copies when the bytes are not aligned for the element
 * size (model buffers often are not), so the result is always safe to index.
 */
export function viewAs<D extends DType>(bytes: Uint8Array, dtype: D): TypedArrayOf<D> {
  const size = dtypeBytes(dtype);
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  // A copy into a fresh buffer (a Node Buffer's slice() is a view at the same misaligned offset).
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const n = aligned.byteLength / size;
  const buf = aligned.buffer;
  const off = aligned.byteOffset;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, off, n) as TypedArrayOf<D>;
    case 'int8':
      return new Int8Array(buf, off, n) as TypedArrayOf<D>;
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf, off, n) as TypedArrayOf<D>;
    case 'int16':
      return new Int16Array(buf, off, n) as TypedArrayOf<D>;
    case 'int32':
      return new Int32Array(buf, off, n) as TypedArrayOf<D>;
    case 'uint32':
      return new Uint32Array(buf, off, n) as TypedArrayOf<D>;
    case 'uint64':
      return new BigUint64Array(buf, off, n) as TypedArrayOf<D>;
    default:
      return new BigInt64Array(buf, off, n) as TypedArrayOf<D>;
  }
}

/** The raw little-endian bytes of a typed array (a view, not a copy). */
export function bytesOf(values: AnyTypedArray): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
