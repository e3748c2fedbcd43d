import { CWriter } from './c-writer';
import { cCommentText } from './naming';

export type ConstCType = 'int8_t' | 'int32_t';

interface ConstArray {
  name: string;
  ctype: ConstCType;
  values: ArrayLike<number>;
  comment: string;
}

/** Every constant array of a model: emitted into <prefix>_weights.c, declared `extern` where it is used. */
export class WeightTable {
  private readonly arrays: ConstArray[] = [];

  /** `comment` may contain model strings: it is made comment-safe here. */
  add(name: string, ctype: ConstCType, values: ArrayLike<number>, comment: string): string {
    this.arrays.push({ name, ctype, values, comment: cCommentText(comment, 120) });
    return name;
  }

  /** Bytes of flash the arrays take (without alignment padding). */
  get bytes(): number {
    return this.arrays.reduce((s, a) => s + a.values.length * (a.ctype === 'int8_t' ? 1 : 4), 0);
  }

  externDeclarations(w: CWriter): void {
    for (const a of this.arrays) w.line(`extern const ${a.ctype} ${a.name}[${a.values.length}];`);
  }

  /** The weights file body: each array aligned and placed in the model's constant section. */
  definitions(w: CWriter, attributeMacro: string): void {
    for (const a of this.arrays) {
      w.comment(a.comment);
      w.line(`const ${a.ctype} ${a.name}[${a.values.length}] ${attributeMacro} = {`);
      const needsSpelling = a.ctype === 'int32_t' && Array.prototype.some.call(a.values, (v: number) => v === -2147483648);
      w.numberList(needsSpelling ? Array.from(a.values, (v) => cNumber(v, a.ctype)) : a.values, a.ctype === 'int8_t' ? 20 : 8);
      w.line('};');
      w.line();
    }
  }
}

/** A C literal for an integer value; INT32_MIN needs spelling out to stay an int. */
function cNumber(v: number, ctype: ConstCType): string {
  if (ctype === 'int32_t' && v === -2147483648) return '(-2147483647 - 1)';
  return String(v);
}
