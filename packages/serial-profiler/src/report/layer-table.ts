import type { ArenaBuffer } from '@tinyforge/common';
import { ProfilerError } from '../errors';

/** What the host knows about one layer (index = execution step, the number the hooks send). */
export interface LayerMeta {
  index: number;
  name?: string;
  op?: string;
  outputShape?: number[];
  macs?: number;
}

/** One buffer of codegen's memory plan: the shape the shared arena picture draws. */
export type { ArenaBuffer };

export interface ArenaPlan {
  arenaBytes: number;
  /** The model's constant data in flash (plan.json `weightsBytes`; older files: `flashBytes`). */
  flashBytes?: number;
  /** The plan's lower bounds (plan.json): without and with in-place sharing. */
  lowerBoundBytes?: number;
  lowerBoundWithSharingBytes?: number;
  /** A plan split over RAM regions (plan.json `regions`): each region's bytes, in the order the picture stacks them. */
  regions?: { name: string; bytes: number }[];
  /** Offsets count from the arena's start; in a multi-region plan, from the start of its region stacked after the previous ones. */
  buffers: ArenaBuffer[];
}

export interface LayerTable {
  layers: LayerMeta[];
  arena?: ArenaPlan;
}

type Json = unknown;

function fail(file: string, where: string, what: string): never {
  throw new ProfilerError('PROFILE_BAD_TABLE', `${where}: ${what}`, { file });
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: Json, file: string, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(file, where, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function text(v: Json, file: string, where: string): string {
  if (typeof v !== 'string') fail(file, where, `expected a string, got ${typeof v}`);
  return v;
}

function optional<T>(obj: Record<string, Json>, key: string, read: (v: Json, where: string) => T, where: string): T | undefined {
  return obj[key] === undefined ? undefined : read(obj[key], `${where}.${key}`);
}

function list(v: Json, file: string, where: string): Json[] {
  if (!Array.isArray(v)) fail(file, where, 'expected an array');
  return v;
}

/**
 * A layer table from JSON: `{layers: [{index, name, op, outputShape?, macs?}]}` (the shape of
 * `tinyforge inspect --json`), or codegen's plan.json (`order: [{step, node, op}]` plus `buffers`, which also
 * gives the arena picture). Malformed input is a PROFILE_BAD_TABLE naming the file and the JSON path.
 */
export function parseLayerTable(source: string, file = 'layer table'): LayerTable {
  let doc: Json;
  try {
    doc = JSON.parse(source);
  } catch (e) {
    return fail(file, '$', `not JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) return fail(file, '$', 'expected an object');
  if (doc.order !== undefined) return parsePlan(doc, file);
  const layers = list(doc.layers, file, '$.layers').map((entry, i) => {
    const at = `$.layers[${i}]`;
    if (!isObject(entry)) return fail(file, at, 'expected an object');
    return {
      index: entry.index === undefined ? i : count(entry.index, file, `${at}.index`),
      name: optional(entry, 'name', (v, w) => text(v, file, w), at),
      op: optional(entry, 'op', (v, w) => text(v, file, w), at),
      outputShape: optional(entry, 'outputShape', (v, w) => list(v, file, w).map((d, k) => count(d, file, `${w}[${k}]`)), at),
      macs: optional(entry, 'macs', (v, w) => count(v, file, w), at),
    };
  });
  return { layers };
}

function parsePlan(doc: Record<string, Json>, file: string): LayerTable {
  const layers = list(doc.order, file, '$.order').map((entry, i) => {
    const at = `$.order[${i}]`;
    if (!isObject(entry)) return fail(file, at, 'expected an object');
    return { index: count(entry.step, file, `${at}.step`), name: text(entry.node, file, `${at}.node`), op: text(entry.op, file, `${at}.op`) };
  });
  // A multi-region plan: each region's buffers drawn above the previous regions' arrays.
  const regions = doc.regions === undefined ? undefined : list(doc.regions, file, '$.regions').map((entry, i) => {
    const at = `$.regions[${i}]`;
    if (!isObject(entry)) return fail(file, at, 'expected an object');
    return { name: text(entry.name, file, `${at}.name`), bytes: count(entry.bytes, file, `${at}.bytes`) };
  });
  const regionBase = new Map<string, number>();
  regions?.reduce((base, r) => (regionBase.set(r.name, base), base + r.bytes), 0);
  const buffers = list(doc.buffers ?? [], file, '$.buffers').map((entry, i) => {
    const at = `$.buffers[${i}]`;
    if (!isObject(entry)) return fail(file, at, 'expected an object');
    const region = regions === undefined ? undefined : text(entry.region, file, `${at}.region`);
    const base = region === undefined ? 0 : (regionBase.get(region) ?? fail(file, `${at}.region`, `no region '${region.slice(0, 40)}' in $.regions`));
    return {
      name: text(entry.name, file, `${at}.name`),
      kind: text(entry.kind, file, `${at}.kind`),
      offset: base + count(entry.offset, file, `${at}.offset`),
      size: count(entry.size, file, `${at}.size`),
      firstStep: count(entry.firstStep, file, `${at}.firstStep`),
      lastStep: count(entry.lastStep, file, `${at}.lastStep`),
    };
  });
  const arenaBytes = count(doc.arenaBytes, file, '$.arenaBytes');
  const bytes = (key: string) => optional(doc, key, (v, w) => count(v, file, w), '$');
  const flashBytes = bytes('weightsBytes') ?? bytes('flashBytes');
  const lowerBoundBytes = bytes('lowerBoundBytes');
  const lowerBoundWithSharingBytes = bytes('lowerBoundWithSharingBytes');
  return { layers, arena: { arenaBytes, flashBytes, lowerBoundBytes, lowerBoundWithSharingBytes, ...(regions !== undefined ? { regions } : {}), buffers } };
}

/** Combine tables: later tables fill in what earlier ones lack, matched by layer name when both have one, else by index. */
export function mergeLayerTables(...tables: LayerTable[]): LayerTable {
  const [first, ...rest] = tables;
  const layers = first.layers.map((l) => ({ ...l }));
  for (const t of rest) {
    for (const extra of t.layers) {
      const target = (extra.name !== undefined ? layers.find((l) => l.name === extra.name) : undefined) ?? layers.find((l) => l.index === extra.index && (l.name === undefined || extra.name === undefined));
      if (target === undefined) continue;
      target.name ??= extra.name;
      target.op ??= extra.op;
      target.outputShape ??= extra.outputShape;
      target.macs ??= extra.macs;
    }
  }
  return { layers, arena: tables.find((t) => t.arena !== undefined)?.arena };
}
