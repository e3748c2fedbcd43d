import { elementCount } from '../tensor';
import { floatOnly } from './dtype-rules';
import { attr, defineOp } from './op-def';

/** Float-only, from ONNX; folded away by the quantizer. inputs: x, scale, bias, mean, variance (per channel) */
export const BATCH_NORM = defineOp<{ epsilon: number }>()({
  arity: [5, 5],
  attrs: { epsilon: attr.float() },
  dtypes: floatOnly,
  inferShape(c) {
    const x = c.input(0);
    const channels = x.shape[x.shape.length - 1];
    for (let i = 1; i < 5; i++) {
      if (elementCount(c.input(i).shape) !== channels) c.fail(`parameter ${i} must have ${channels} elements (one per channel)`);
    }
    return [...x.shape];
  },
  macs: (c) => c.outputElements,
  parametersFrom: 1,
});
