import { windowOutput } from './conv';
import { FLOAT_OR_QUANTIZED, sameType } from './dtype-rules';
import { attr, defineOp, FusedActivation, noActivation, Padding } from './op-def';

export interface PoolAttrs {
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padding: Padding;
  activation: FusedActivation;
}

/** AVERAGE_POOL_2D / MAX_POOL_2D. inputs: x [N,H,W,C] */
const pool = defineOp<PoolAttrs>()({
  arity: [1, 1],
  attrs: {
    filterH: attr.positiveInt(),
    filterW: attr.positiveInt(),
    strideH: attr.positiveInt(),
    strideW: attr.positiveInt(),
    padding: attr.padding(),
    activation: noActivation(),
  },
  dtypes: sameType(1, FLOAT_OR_QUANTIZED),
  inferShape(c) {
    const x = c.input(0);
    c.rank(x, 4, 'input');
    const a = c.attrs;
    const [h, w] = windowOutput(c, x.shape[1], x.shape[2], a, a.filterH, a.filterW, 1, 1);
    return [x.shape[0], h, w, x.shape[3]];
  },
  fusableActivation: true,
});

export const AVERAGE_POOL_2D = pool;
export const MAX_POOL_2D = pool;
