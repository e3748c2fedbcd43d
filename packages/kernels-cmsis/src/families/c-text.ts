/** C text the families' emitters share: designated initializers, float literals, the scratch context. */
import { Clamp, Dims4, HW, LayerWriter, ScratchFunction } from './family';

/** A designated initializer: `{.a = 1, .b = {...}}`. */
export const cStruct = (fields: Record<string, string | number>): string =>
  `{${Object.entries(fields)
    .map(([k, v]) => `.${k} = ${v}`)
    .join(', ')}}`;

export const cDims = (d: Dims4): string => cStruct({ n: d.n, h: d.h, w: d.w, c: d.c });
export const cTile = (t: HW): string => cStruct({ w: t.w, h: t.h });
export const cClamp = (c: Clamp): string => cStruct({ min: c.min, max: c.max });

/** A pointer to a compound literal, for calling a C function with values in place: `&(tfg_dims){...}`. */
export const cLiteral = (type: string, init: string): string => `&(${type})${init}`;

/** A float32 as a C literal that reads back to the same float (9 significant digits round-trip). */
export const cFloat = (f: number): string => `${Math.fround(f).toPrecision(9)}f`;

/** A call of a scratch size function in generated code, over the parameter structs the emitter declared. */
export const sizeQuery = <G>(fn: ScratchFunction<G>): string => `${fn.name}(${fn.args})`;

/**
 * The call's scratch context (`ctx`), and the check that the plan gave the kernel at least what `query` (a size
 * function call) asks for at run time: a drift between the planner and the C fails loudly, never corrupts memory.
 */
export function scratchContext(out: LayerWriter, query: string | undefined): void {
  if (out.scratch === undefined) {
    out.line(`static const tfg_context ctx = ${cStruct({ buf: 0, size: 0 })};`);
    if (query !== undefined) out.line(`if (${query} > 0) return TFG_ARG_ERROR;`);
    return;
  }
  out.line(`const tfg_context ctx = ${cStruct({ buf: `${out.scratch.base ?? out.arena} + ${out.scratch.offset}`, size: out.scratch.size })};`);
  if (query !== undefined) out.line(`if (${query} > ctx.size) return TFG_ARG_ERROR;`);
}

/** The bytes of a typed array, for vector blobs (undefined: empty). */
export const blobOf = (a: ArrayBufferView | undefined): Uint8Array =>
  a === undefined ? new Uint8Array(0) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** An arena or constant address (an int8_t expression) as a pointer to another element type. */
export const cPtr = (expr: string, ctype: string, writable: boolean): string =>
  writable ? `(${ctype} *)(void *)(${expr})` : `(const ${ctype} *)(const void *)(${expr})`;

/** Dims as four vector ints. */
export const dimsInts = (d: Dims4): number[] => [d.n, d.h, d.w, d.c];

/** A float32's bit pattern as a vector int (the C side reads it back with memcpy). */
export const floatBits = (f: number): number => new Int32Array(Float32Array.of(f).buffer)[0];
