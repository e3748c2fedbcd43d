import { CWriter } from './c-writer';
import { cCommentText } from './naming';

export type ConstCType = 'int8_t' | 'int16_t' | 'int32_t' | 'int64_t' | 'float';

const CTYPE_BYTES: Record<ConstCType, number> = { int8_t: 1, int16_t: 2, int32_t: 4, int64_t: 8, float: 4 };

interface ConstArray {
  name: string;
  ctype: ConstCType;
  values: ArrayLike<number | bigint>;
  comment: string;
}

/** The flash section the constants go to is rounded up to this (boards/common/sections.ld: `. = ALIGN(16)`). */
export const WEIGHTS_SECTION_ALIGN = 16;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Bytes of one constant array of `length` elements of `ctype`. */
export const constantArrayBytes = (ctype: ConstCType, length: number): number => length * CTYPE_BYTES[ctype];

/**
 * Flash bytes of constant arrays of these byte sizes as linked: every array starts at an `align` boundary and the
 * section is rounded up to WEIGHTS_SECTION_ALIGN, so this holds whatever order the compiler emits the arrays in.
 */
export function linkedConstantBytes(arrayBytes: Iterable<number>, align: number): number {
  let padded = 0;
  for (const bytes of arrayBytes) padded += roundUp(bytes, align);
  return roundUp(padded, WEIGHTS_SECTION_ALIGN);
}

/** Every constant array of a model: emitted into <prefix>_weights.c, declared `extern` where it is used. */
export class WeightTable {
  private readonly arrays: ConstArray[] = [];

  /** `align`: the alignment every array gets (the arena alignment, a divisor of WEIGHTS_SECTION_ALIGN). */
  constructor(private readonly align: number = WEIGHTS_SECTION_ALIGN) {}

  /** `comment` may contain model strings: it is made comment-safe here. */
  add(name: string, ctype: ConstCType, values: ArrayLike<number | bigint>, comment: string): string {
    this.arrays.push({ name, ctype, values, comment: cCommentText(comment, 120) });
    return name;
  }

  /**
   * The model's "weights" figure: bytes of flash its constant data takes as linked, alignment padding included.
   * Every array starts at an `align` boundary and the section is rounded up to WEIGHTS_SECTION_ALIGN, so this is
   * the size of the firmware's .weights section whatever order the compiler emits the arrays in.
   */
  get bytes(): number {
    return linkedConstantBytes(
      this.arrays.map((a) => constantArrayBytes(a.ctype, a.values.length)),
      this.align,
    );
  }

  externDeclarations(w: CWriter): void {
    for (const a of this.arrays) w.line(`extern const ${a.ctype} ${a.name}[${a.values.length}];`);
  }

  /** The weights file body: each array aligned and placed in the model's constant section. */
  definitions(w: CWriter, attributeMacro: string): void {
    for (const a of this.arrays) {
      w.comment(a.comment);
      w.line(`const ${a.ctype} ${a.name}[${a.values.length}] ${attributeMacro} = {`);
      w.numberList(Array.from(a.values, (v) => cNumber(v, a.ctype)) as unknown as number[], a.ctype === 'int8_t' || a.ctype === 'int16_t' ? 16 : a.ctype === 'int64_t' ? 4 : 8);
      w.line('};');
      w.line();
    }
  }
}

/**
 * A C literal for a value of the array's type: INT32_MIN and INT64_MIN need spelling out to stay in range, int64
 * values carry LL, floats print so that they read back to the same float32 (finite values only: model weights).
 */
function cNumber(v: number | bigint, ctype: ConstCType): string {
  if (ctype === 'float') {
    const f = Math.fround(Number(v));
    if (!Number.isFinite(f)) throw new Error(`constant ${f} has no C float literal`);
    return `${f.toPrecision(9)}f`;
  }
  if (ctype === 'int64_t') {
    const b = BigInt(v);
    return b === -(2n ** 63n) ? '(-9223372036854775807LL - 1)' : `${b}LL`;
  }
  if (ctype === 'int32_t' && v === -2147483648) return '(-2147483647 - 1)';
  return String(v);
}
