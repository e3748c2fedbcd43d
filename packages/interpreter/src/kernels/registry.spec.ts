import { DType, OP_TYPES, opDef, VIEW_OPS } from '@tinyforge/ir';
import { KernelEntry } from './context';
import { KERNELS } from './registry';

describe('the kernel table', () => {
  it('has an entry for every op the interpreter does not alias, and none for views', () => {
    expect(OP_TYPES.filter((op) => !VIEW_OPS.has(op) && KERNELS[op] === undefined)).toEqual([]);
    expect([...VIEW_OPS].filter((op) => KERNELS[op] !== undefined)).toEqual([]);
  });

  it('registers kernels only for element types the IR accepts on that op', () => {
    const misfits: string[] = [];
    for (const op of OP_TYPES) {
      const entry = KERNELS[op] as KernelEntry<typeof op> | undefined;
      const accepted = opDef(op).dtypes.inputTypes;
      for (const key of Object.keys(entry ?? {}) as (DType | 'any')[]) {
        if (key === 'any' ? accepted !== 'any' : accepted !== 'any' && !accepted.includes(key)) misfits.push(`${op}: ${key}`);
      }
    }
    expect(misfits).toEqual([]);
  });
});
