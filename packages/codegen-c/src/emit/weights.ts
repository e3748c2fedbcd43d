import { CWriter } from './c-writer';
import { cCommentText } from './naming';

export type ConstCType = 'int8_t' | 'int32_t';

/**
 * Arrays only one build needs: 'packed' where kernels-cmsis prefers packed convolution filters
 * (TFG_NN_PACKED_CONV_PREFERRED: DSP cores without Helium), 'int8' everywhere else.
 */
export type ConstVariant = 'packed' | 'int8';

const VARIANT_CONDITION: Record<ConstVariant, string> = {
  packed: '#if TFG_NN_PACKED_CONV_PREFERRED',
  int8: '#if !TFG_NN_PACKED_CONV_PREFERRED',
};

interface ConstArray {
  name: string;
  ctype: ConstCType;
  values: ArrayLike<number>;
  comment: string;
  variant?: ConstVariant;
}

/** Every constant array of a model: emitted into <prefix>_weights.c, declared `extern` where it is used. */
export class WeightTable {
  private readonly arrays: ConstArray[] = [];

  /** `comment` may contain model strings: it is made comment-safe here. */
  add(name: string, ctype: ConstCType, values: ArrayLike<number>, comment: string, variant?: ConstVariant): string {
    this.arrays.push({ name, ctype, values, comment: cCommentText(comment, 120), variant });
    return name;
  }

  /** Whether some arrays belong to one build only (the file then needs tfg_nn.h for the condition). */
  get hasVariants(): boolean {
    return this.arrays.some((a) => a.variant !== undefined);
  }

  /** Bytes of flash the arrays take (without alignment padding) in a build with packed filters or without. */
  bytesFor(packed: boolean): number {
    const wanted: ConstVariant = packed ? 'packed' : 'int8';
    return this.arrays
      .filter((a) => a.variant === undefined || a.variant === wanted)
      .reduce((s, a) => s + a.values.length * (a.ctype === 'int8_t' ? 1 : 4), 0);
  }

  externDeclarations(w: CWriter): void {
    this.each(w, (a) => w.line(`extern const ${a.ctype} ${a.name}[${a.values.length}];`));
  }

  /** Visit every array, wrapping runs of one variant in its preprocessor condition. */
  private each(w: CWriter, visit: (a: ConstArray) => void): void {
    let open: ConstVariant | undefined;
    for (const a of this.arrays) {
      if (a.variant !== open) {
        if (open !== undefined) w.line('#endif');
        if (a.variant !== undefined) w.line(VARIANT_CONDITION[a.variant]);
        open = a.variant;
      }
      visit(a);
    }
    if (open !== undefined) w.line('#endif');
  }

  /** The weights file body: each array aligned and placed in the model's constant section. */
  definitions(w: CWriter, attributeMacro: string): void {
    this.each(w, (a) => {
      w.comment(a.comment);
      w.line(`const ${a.ctype} ${a.name}[${a.values.length}] ${attributeMacro} = {`);
      w.numberList(Array.from(a.values, (v) => cNumber(v, a.ctype)) as unknown as number[], a.ctype === 'int8_t' ? 20 : 8);
      w.line('};');
      w.line();
    });
  }
}

/** A C literal for an integer value; INT32_MIN needs spelling out to stay an int. */
function cNumber(v: number, ctype: ConstCType): string {
  if (ctype === 'int32_t' && v === -2147483648) return '(-2147483647 - 1)';
  return String(v);
}
