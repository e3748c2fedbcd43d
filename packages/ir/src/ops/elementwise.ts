import { DType } from '../dtype';
import { shapeToString } from '../tensor';
import { convertsType, FLOAT_OR_QUANTIZED, sameType } from './dtype-rules';
import { defineOp, FusedActivation, noActivation, NoAttrs, OpDef, ShapeContext } from './op-def';

/** Numpy broadcasting of two shapes, or undefined if they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Plain int32/int64 arithmetic is what the ONNX QDQ export spells TFLite's requantization with. */
const INTEGER: readonly DType[] = ['int32', 'int64'];

/** Two inputs with numpy broadcasting, one fused activation. */
function binary(types: readonly DType[], extra: { macs?: OpDef<unknown>['macs']; parametersFrom?: number; fusableActivation?: boolean } = {}) {
  return defineOp<{ activation: FusedActivation }>()({
    arity: [2, 2],
    attrs: { activation: noActivation() },
    dtypes: sameType(2, types),
    inferShape(c) {
      const [a, b] = [c.input(0).shape, c.input(1).shape];
      return broadcastShapes(a, b) ?? c.fail(`shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`);
    },
    ...extra,
  });
}

export const ADD = binary([...FLOAT_OR_QUANTIZED, ...INTEGER], { parametersFrom: 0, fusableActivation: true });
export const SUB = binary([...FLOAT_OR_QUANTIZED, ...INTEGER], { parametersFrom: 0, fusableActivation: true });
export const MUL = binary([...FLOAT_OR_QUANTIZED, ...INTEGER], { parametersFrom: 0, fusableActivation: true, macs: (c) => c.outputElements });
/** Float, and integers truncating toward zero (as C and ONNX runtimes do); no quantized kernel. */
export const DIV = binary(['float32', ...INTEGER]);

/** The smaller / larger of two operands elementwise (TFLite MINIMUM/MAXIMUM): float and plain integers. */
export const MINIMUM = binary(['float32', ...INTEGER]);
export const MAXIMUM = binary(['float32', ...INTEGER]);

/** One input, and an output of its shape. */
export const sameShape = { arity: [1, 1] as const, inferShape: (c: ShapeContext<unknown>): number[] => [...c.input(0).shape] };

/** Round (half to even), Abs, Sign: float and plain integers. */
const unaryArithmetic = defineOp<NoAttrs>()({ ...sameShape, attrs: {}, dtypes: sameType(1, ['float32', ...INTEGER]) });
export const ROUND = unaryArithmetic;
export const ABS = unaryArithmetic;
export const SIGN = unaryArithmetic;

/** Convert element type (float → integer truncates toward zero); the output tensor's dtype is the target. */
export const CAST = defineOp<NoAttrs>()({ ...sameShape, attrs: {}, dtypes: convertsType });
