import { Graph, nodeStats } from '@tinyforge/ir';
import { CodegenError } from '../errors';
import { BufferGroup, groupLowerBound, Grouping } from './groups';
import { ArenaFill, bySizeDescending, placeOptimal } from './placement';
import { Placement, PlanProblem } from './types';

/** A RAM region the arena may use (a board's `ram` or one of its `extraRam`), as the planner is given it. */
export interface ArenaRegion {
  /** Names the region's C array (`<prefix>_arena_<name>`): lower-case letters, digits, underscores. */
  name: string;
  /** Bytes of the region the arena may take (the main region's size less the stack and static data). */
  bytes: number;
  /** Tightly coupled / zero-wait-state memory: the hottest tensors go here first. */
  fast?: boolean;
  /**
   * The input section the region's array is put in (`__attribute__((section(...)))`) so that the linker script
   * places it in the region; undefined: no attribute (the main region: the array lands in .arena like a one-region
   * arena).
   */
  section?: string;
}

/** One region's part of a multi-region plan. */
export interface RegionUse {
  name: string;
  /** Bytes of the region's array: from 0 to the end of its highest buffer (0: nothing placed there). */
  size: number;
  /** The room the region had for the arena (ArenaRegion.bytes). */
  room: number;
  fast: boolean;
  section?: string;
}

export interface RegionSplit {
  regions: RegionUse[];
  /** Region index per buffer id; offsets are relative to the buffer's region. */
  regionOf: number[];
  offsets: number[];
  /** How the split was made, for plan.json and the report. */
  policy: string;
  /** Every region's placement was proven optimal for the tensors it holds. */
  searchComplete: boolean;
  /** Index of the grouping (in-place sharing choice) the split used. */
  grouping: number;
}

const REGION_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Place the buffer groups of a one-arena plan over several RAM regions, a group (buffers tied by in-place sharing
 * or views, which must keep their relative offsets) never straddling two. The policy, tried in turn:
 * 1. the whole arena in the preferred region (the first fast one, else the first listed) when it fits there:
 *    one region, the one-arena plan as it is;
 * 2. "hot first": groups in order of traffic per byte (the MACs of the layers that read or write a buffer, per byte
 *    of it: how often each byte is touched) into the fast regions while they fit, the hottest first — the fast
 *    memory pays off most where each byte is read most often; then every other group largest first, first fit over
 *    the regions (fast ones first, then in board order) — largest first because the big tensors are the ones that
 *    fit in few places (TFLite Micro's greedy order);
 * 3. largest first over all regions (when hot-first filled the fast region in an order that leaves big tensors no
 *    room);
 * 2 and 3 are tried with the one-arena plan's in-place sharing first, then with the other sharing choices (less
 *    sharing ties fewer buffers into groups that must stay together: a chain of in-place convolutions is one group);
 * 4. the whole arena in any one region that holds it.
 * Each region's share is then packed again by the optimal placer (placeOptimal), which only shrinks it.
 * Throws CODEGEN_RAM_OVERFLOW naming the regions, their room and what the model needs when nothing fits.
 */
export function splitOverRegions(
  graph: Graph,
  problem: PlanProblem,
  groupings: readonly Grouping[],
  chosen: number,
  single: Placement,
  regions: readonly ArenaRegion[],
  align: number,
  timeLimitMs: number,
): RegionSplit {
  for (const r of regions) {
    if (!REGION_NAME.test(r.name)) throw new CodegenError('CODEGEN_OPTION', `RAM region name '${r.name.slice(0, 40)}' must be lower-case letters, digits and underscores`);
    if (!(r.bytes >= 0)) throw new CodegenError('CODEGEN_OPTION', `RAM region '${r.name}' has ${r.bytes} bytes for the arena: it must be a number >= 0`);
    // The section name goes into a C string literal and a linker script.
    if (r.section !== undefined && !/^\.[A-Za-z0-9_.]{1,64}$/.test(r.section)) throw new CodegenError('CODEGEN_OPTION', `RAM region '${r.name}': section name '${r.section.slice(0, 40)}' must be a dot and letters, digits, underscores or dots`);
  }
  if (new Set(regions.map((r) => r.name)).size !== regions.length) throw new CodegenError('CODEGEN_OPTION', 'two RAM regions have the same name');
  const rooms = regions.map((r) => Math.floor(r.bytes / align) * align);
  const preference = regions.map((_, i) => i).sort((a, b) => Number(regions[b].fast === true) - Number(regions[a].fast === true) || a - b);
  const fast = preference.filter((i) => regions[i].fast === true);

  const whole = (r: number, policy: string): RegionSplit => ({
    regions: regions.map((x, i) => use(x, i === r ? single.arenaSize : 0)),
    regionOf: problem.buffers.map(() => r),
    offsets: [...single.offsets],
    policy,
    searchComplete: true,
    grouping: chosen,
  });
  if (single.arenaSize <= rooms[preference[0]]) return whole(preference[0], `the whole arena in '${regions[preference[0]].name}' (${regions[preference[0]].fast ? 'the fast region' : 'the first region'}), where it fits`);

  let stuck: { groups: readonly BufferGroup[]; group: number } | undefined;
  for (const gi of [chosen, ...groupings.map((_, i) => i).filter((i) => i !== chosen)]) {
    const groups = groupings[gi].groups;
    const heat = groupHeat(graph, problem, groups);
    const hottest = groups.map((_, i) => i).sort((a, b) => heat[b] - heat[a] || a - b);
    const largest = bySizeDescending(groups);
    const attempts: { policy: string; fill: () => ArenaFill | number }[] = [];
    const sharing = gi === chosen ? '' : ` (with ${groupings[gi].applied.length} in-place pairs, which splits where the one-arena plan's sharing did not)`;
    if (fast.length > 0) {
      attempts.push({
        policy: `hot first: the groups with the most traffic per byte into ${names(regions, fast)} while they fit, then the rest largest first, first fit over ${names(regions, preference)}${sharing}`,
        fill: () => {
          const fill = new ArenaFill(problem, groups, align, rooms);
          for (const g of hottest) fill.tryPlace(g, fast);
          for (const g of largest) if (fill.arenaOf[g] < 0 && !fill.tryPlace(g, preference)) return g;
          return fill;
        },
      });
    }
    attempts.push({
      policy: `largest first, first fit over ${names(regions, preference)}${sharing}`,
      fill: () => {
        const fill = new ArenaFill(problem, groups, align, rooms);
        for (const g of largest) if (!fill.tryPlace(g, preference)) return g;
        return fill;
      },
    });
    for (const attempt of attempts) {
      const fill = attempt.fill();
      if (typeof fill === 'number') {
        stuck = { groups, group: fill };
        continue;
      }
      return { ...compact(problem, groups, regions, fill, align, timeLimitMs, attempt.policy), grouping: gi };
    }
  }
  const holds = preference.find((r) => single.arenaSize <= rooms[r]);
  if (holds !== undefined) return whole(holds, `the whole arena in '${regions[holds].name}', the one region that holds it (no split fitted)`);

  const g = stuck!.groups[stuck!.group];
  const what = g.members.map((m) => `'${problem.buffers[m].name}'`).slice(0, 3).join(', ');
  const bound = groupLowerBound(problem, groupings[chosen].groups, align);
  throw new CodegenError(
    'CODEGEN_RAM_OVERFLOW',
    `the model does not fit the ${regions.length} RAM regions (${regions.map((r, i) => `${r.name} ${rooms[i]} B`).join(', ')} for the arena, ${rooms.reduce((s, x) => s + x, 0)} B together): ` +
      `it needs ${single.arenaSize} B as one arena (lower bound ${bound} B), no region holds that, and split over the regions (a tensor never straddling two) ${what} (${g.extent} B, steps ${g.first}–${g.last}) has no place`,
  );
}

function use(r: ArenaRegion, size: number): RegionUse {
  return { name: r.name, size, room: r.bytes, fast: r.fast === true, ...(r.section !== undefined ? { section: r.section } : {}) };
}

function names(regions: readonly ArenaRegion[], order: readonly number[]): string {
  return order.map((i) => `'${regions[i].name}'`).join(', ');
}

/**
 * Traffic per byte of each group: for every member, the MACs of each layer that reads or writes it (at least the
 * member's own bytes per layer: a copy or an element-wise op touches each byte once), summed and divided by the
 * group's extent. A convolution's input scores its filter size × output channels / stride², its scratch (im2col
 * rows) the MACs it feeds: how often a byte is loaded, what a faster memory saves on.
 */
function groupHeat(graph: Graph, problem: PlanProblem, groups: readonly BufferGroup[]): number[] {
  const macs = graph.nodes.map((n) => nodeStats(graph, n).macs);
  const touching = new Map<number, number[]>();
  graph.nodes.forEach((n, i) => {
    for (const t of [...n.inputs, ...n.outputs]) if (t >= 0) (touching.get(t) ?? touching.set(t, []).get(t)!).push(i);
  });
  const traffic = problem.buffers.map((b) => {
    const nodes = b.tensor !== undefined ? [...new Set(touching.get(b.tensor) ?? [])] : b.node !== undefined ? [b.node] : [];
    return nodes.reduce((s, n) => s + Math.max(macs[n], b.size), 0);
  });
  return groups.map((g) => g.members.reduce((s, m) => s + traffic[m], 0) / Math.max(g.extent, 1));
}

/** Each region's groups packed again by the optimal placer, kept where it is smaller than the first fit. */
function compact(problem: PlanProblem, groups: readonly BufferGroup[], regions: readonly ArenaRegion[], fill: ArenaFill, align: number, timeLimitMs: number, policy: string): Omit<RegionSplit, 'grouping'> {
  const regionOf = problem.buffers.map(() => -1);
  const offsets = problem.buffers.map(() => 0);
  let searchComplete = true;
  const sizes = regions.map((_, r) => {
    const mine = groups.map((_, i) => i).filter((i) => fill.arenaOf[i] === r);
    const subset = mine.map((i) => groups[i]);
    let firstFit = 0;
    for (const i of mine) firstFit = Math.max(firstFit, fill.offsets[i] + groups[i].extent);
    const best = subset.length === 0 ? undefined : placeOptimal(problem, subset, align, groupLowerBound(problem, subset, align), timeLimitMs / regions.length);
    const packed = best !== undefined && best.placement.arenaSize < firstFit;
    searchComplete &&= best === undefined || best.complete;
    mine.forEach((gi) => {
      groups[gi].members.forEach((m, k) => {
        regionOf[m] = r;
        offsets[m] = packed ? best!.placement.offsets[m] : fill.offsets[gi] + groups[gi].rel[k];
      });
    });
    return packed ? best!.placement.arenaSize : firstFit;
  });
  return { regions: regions.map((r, i) => use(r, sizes[i])), regionOf, offsets, policy, searchComplete };
}
