import { Builder } from 'flatbuffers';
import { Table } from './flatbuffer-reader';
import { OptionField, OptionsTable, OptionValues } from './schema';

/** Every field of an options table, its schema default where the table (or the field) is absent. */
export function readOptions<T extends OptionsTable>(layout: T, o: Table | undefined, what: string): OptionValues<T> {
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(layout.fields) as [string, OptionField][]) {
    if (o === undefined) values[name] = f.dflt;
    else if (f.kind === 'i8') values[name] = o.int8(f.id, f.dflt as number);
    else if (f.kind === 'i32') values[name] = o.int32(f.id, f.dflt as number);
    else if (f.kind === 'f32') values[name] = o.float32(f.id, f.dflt as number);
    else if (f.kind === 'bool') values[name] = o.bool(f.id, f.dflt as boolean);
    else values[name] = o.int32s(f.id, `${what} ${name}`) ?? f.dflt;
  }
  return values as OptionValues<T>;
}

/** A writer of the options table with these values; fields equal to their schema default are left out. */
export function writeOptions<T extends OptionsTable>(layout: T, values: OptionValues<T>): (b: Builder) => number {
  return (b) => {
    const fields = Object.entries(layout.fields) as [string, OptionField][];
    const all = values as Record<string, number | boolean | number[]>;
    // Vectors are written before the table that refers to them.
    const vectors = new Map<string, number>();
    for (const [name, f] of fields) if (f.kind === 'i32s') vectors.set(name, intVector(b, all[name] as number[]));
    b.startObject(fields.reduce((n, [, f]) => Math.max(n, f.id + 1), 0));
    for (const [name, f] of fields) {
      const v = all[name];
      if (f.kind === 'i32s') b.addFieldOffset(f.id, vectors.get(name)!, 0);
      else if (f.kind === 'i32') b.addFieldInt32(f.id, Number(v), Number(f.dflt));
      else if (f.kind === 'f32') b.addFieldFloat32(f.id, Number(v), Number(f.dflt));
      else b.addFieldInt8(f.id, Number(v), Number(f.dflt));
    }
    return b.endObject();
  };
}

function intVector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}
