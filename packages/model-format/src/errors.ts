import { ErrorLocation, TinyforgeError } from '@tinyforge/common';

/**
 * A model file is malformed (bad offsets, truncated, inconsistent) or uses something we do not support.
 * Codes: FORMAT_UNKNOWN, FORMAT_MALFORMED, FORMAT_BOUNDS, FORMAT_UNSUPPORTED, FORMAT_EXTERNAL_DATA, FORMAT_LIMIT,
 * FORMAT_IO. The location names the file, the node or the byte offset.
 */
export class ModelFormatError extends TinyforgeError {
  override readonly name = 'ModelFormatError';
  constructor(
    code: ModelFormatErrorCode,
    message: string,
    location: ErrorLocation = {},
    /** FORMAT_UNSUPPORTED: everything the model uses that tinyforge lacks, found in one pass (inspect lists it). */
    readonly unsupported: readonly UnsupportedFeature[] = [],
  ) {
    super(code, message, location);
  }
}

/** One thing a model uses that tinyforge does not support, with where it occurs. */
export interface UnsupportedFeature {
  kind: 'operator' | 'tensor type' | 'feature';
  /** e.g. "UNIDIRECTIONAL_SEQUENCE_LSTM", "custom SignalWindow", "UINT32", "ONNX ScatterND (opset 13)". */
  name: string;
  /** Where it occurs: operator / node / tensor labels. */
  where: string[];
}

/**
 * One FORMAT_UNSUPPORTED error naming every unsupported feature of a model ("2 operators and 1 tensor type are not
 * supported: SVDF ×7 (operators 1, 3, …), …"), so that a user sees all that is missing at once.
 */
export function unsupportedFeaturesError(features: readonly UnsupportedFeature[], location: ErrorLocation): ModelFormatError {
  const list = features.map((f) => {
    const shown = f.where.slice(0, 3).join(', ') + (f.where.length > 3 ? `, … ${f.where.length - 3} more` : '');
    return `${f.kind} ${f.name}${f.where.length > 1 ? ` ×${f.where.length}` : ''} (${shown})`;
  });
  const message = features.length === 1 ? `not supported: ${list[0]}` : `${features.length} things this model uses are not supported: ${list.join('; ')}`;
  return new ModelFormatError('FORMAT_UNSUPPORTED', message, location, features);
}

/** Collects unsupported features by kind and name (one entry per name, every place it occurs). */
export class UnsupportedCollector {
  private readonly byKey = new Map<string, UnsupportedFeature>();
  private first: ErrorLocation | undefined;
  private uses = 0;

  /** Record one use; `at` (byte offset, node) of the first use goes into the error's location. */
  add(kind: UnsupportedFeature['kind'], name: string, where: string, at: ErrorLocation = {}): void {
    this.first ??= at;
    this.uses++;
    const key = `${kind}\u0000${name}`;
    const known = this.byKey.get(key);
    if (known !== undefined) known.where.push(where);
    else this.byKey.set(key, { kind, name, where: [where] });
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Throw one error naming all of them, if there are any (located at the first use; at its node if it is the only one). */
  throwIfAny(location: ErrorLocation): void {
    if (this.byKey.size === 0) return;
    const first = this.first ?? {};
    const at: ErrorLocation = { ...location };
    if (at.offset === undefined && first.offset !== undefined) at.offset = first.offset;
    if (this.uses === 1 && first.node !== undefined) at.node = first.node;
    throw unsupportedFeaturesError([...this.byKey.values()], at);
  }
}

export type ModelFormatErrorCode =
  | 'FORMAT_UNKNOWN'
  | 'FORMAT_MALFORMED'
  | 'FORMAT_BOUNDS'
  | 'FORMAT_UNSUPPORTED'
  | 'FORMAT_EXTERNAL_DATA'
  | 'FORMAT_LIMIT'
  | 'FORMAT_IO';

/** Upper bounds checked before any allocation sized by a model file: the IR's one LIMITS table. */
export { LIMITS } from '@tinyforge/ir';
