import { ModelFormatError } from '../errors';

/**
 * A reader for the FlexBuffers maps TFLite custom operators keep their options in (`custom_options`, format
 * FLEXBUFFERS). Only what options use: a root map whose values are integers, floats, booleans or vectors of them.
 * Layout (flatbuffers' FlexBuffers documentation): the last byte is the root's byte width, the byte before it the
 * root's packed type (type << 2 | log2 of the child width); an offset value points back (position minus the
 * unsigned offset). A map is its values vector, preceded by [keys vector offset, keys byte width, length], and
 * followed by one packed type byte per value; keys are offsets to NUL-terminated strings.
 */
export type FlexValue = number | boolean | number[];

const TYPE = { NULL: 0, INT: 1, UINT: 2, FLOAT: 3, INDIRECT_INT: 6, INDIRECT_UINT: 7, INDIRECT_FLOAT: 8, MAP: 9, VECTOR: 10, VECTOR_INT: 11, VECTOR_UINT: 12, VECTOR_FLOAT: 13, VECTOR_INT2: 16, VECTOR_FLOAT4: 24, BOOL: 26 } as const;

export function readFlexbufferMap(bytes: Uint8Array, where: { file?: string; offset?: number; what: string }): Record<string, FlexValue> {
  const fail = (message: string): never => {
    throw new ModelFormatError('FORMAT_MALFORMED', `${where.what}: ${message}`, { file: where.file, offset: where.offset });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, width: number): void => {
    if (!Number.isInteger(at) || at < 0 || at + width > bytes.length) fail(`custom options out of bounds (byte ${at} of ${bytes.length})`);
  };
  const uint = (at: number, width: number): number => {
    need(at, width);
    if (width === 1) return view.getUint8(at);
    if (width === 2) return view.getUint16(at, true);
    if (width === 4) return view.getUint32(at, true);
    return Number(view.getBigUint64(at, true));
  };
  const int = (at: number, width: number): number => {
    need(at, width);
    if (width === 1) return view.getInt8(at);
    if (width === 2) return view.getInt16(at, true);
    if (width === 4) return view.getInt32(at, true);
    return Number(view.getBigInt64(at, true));
  };
  const float = (at: number, width: number): number => {
    need(at, width);
    if (width === 4) return view.getFloat32(at, true);
    if (width === 8) return view.getFloat64(at, true);
    return fail(`a float of ${width} bytes`);
  };
  const target = (at: number, width: number): number => at - uint(at, width);
  const scalar = (at: number, width: number, packed: number): FlexValue => {
    const type = packed >> 2;
    const childWidth = 1 << (packed & 3);
    switch (type) {
      case TYPE.NULL:
        return 0;
      case TYPE.INT:
        return int(at, width);
      case TYPE.UINT:
        return uint(at, width);
      case TYPE.FLOAT:
        return float(at, width);
      case TYPE.BOOL:
        return uint(at, width) !== 0;
      case TYPE.INDIRECT_INT:
        return int(target(at, width), childWidth);
      case TYPE.INDIRECT_UINT:
        return uint(target(at, width), childWidth);
      case TYPE.INDIRECT_FLOAT:
        return float(target(at, width), childWidth);
      case TYPE.VECTOR_INT:
      case TYPE.VECTOR_UINT:
      case TYPE.VECTOR_FLOAT: {
        const v = target(at, width);
        const n = uint(v - childWidth, childWidth);
        if (n > bytes.length) fail(`a vector of ${n} elements`);
        const read = type === TYPE.VECTOR_INT ? int : type === TYPE.VECTOR_UINT ? uint : float;
        return Array.from({ length: n }, (_, i) => read(v + i * childWidth, childWidth));
      }
      case TYPE.VECTOR: {
        const v = target(at, width);
        const n = uint(v - childWidth, childWidth);
        if (n > bytes.length) fail(`a vector of ${n} elements`);
        return Array.from({ length: n }, (_, i) => {
          const element = scalar(v + i * childWidth, childWidth, uint(v + n * childWidth + i, 1));
          if (Array.isArray(element)) return fail('a vector inside a vector');
          return Number(element);
        });
      }
      default: {
        // Fixed-length typed vectors (2, 3 or 4 ints, uints or floats, no length prefix).
        if (type < TYPE.VECTOR_INT2 || type > TYPE.VECTOR_FLOAT4) return fail(`value type ${type} is not one custom options use`);
        const v = target(at, width);
        const n = Math.floor((type - TYPE.VECTOR_INT2) / 3) + 2;
        const kind = (type - TYPE.VECTOR_INT2) % 3;
        const read = kind === 0 ? int : kind === 1 ? uint : float;
        return Array.from({ length: n }, (_, i) => read(v + i * childWidth, childWidth));
      }
    }
  };
  const cString = (at: number): string => {
    let end = at;
    while (end < bytes.length && bytes[end] !== 0) end++;
    if (end >= bytes.length || end - at > 256) fail('an unterminated key');
    return String.fromCharCode(...bytes.subarray(at, end));
  };

  if (bytes.length < 3) fail(`custom options of ${bytes.length} bytes`);
  const rootWidth = bytes[bytes.length - 1];
  const rootType = bytes[bytes.length - 2];
  if (![1, 2, 4, 8].includes(rootWidth)) fail(`root byte width ${rootWidth}`);
  if (rootType >> 2 !== TYPE.MAP) fail(`the root is of type ${rootType >> 2}, not a map`);
  const values = target(bytes.length - 2 - rootWidth, rootWidth);
  const w = 1 << (rootType & 3);
  const length = uint(values - w, w);
  const keysWidth = uint(values - 2 * w, w);
  const keys = target(values - 3 * w, w);
  if (length > 64 || ![1, 2, 4, 8].includes(keysWidth)) fail(`a map of ${length} entries with keys ${keysWidth} bytes wide`);
  const out: Record<string, FlexValue> = {};
  for (let i = 0; i < length; i++) {
    const key = cString(target(keys + i * keysWidth, keysWidth));
    const packed = uint(values + length * w + i, 1);
    out[key] = scalar(values + i * w, w, packed);
  }
  return out;
}
