import { MemoryPlan } from '../memory/plan';
import { CWriter } from './c-writer';

/**
 * The arena's C arrays: one (`<prefix>_arena`), or one per used RAM region of a multi-region plan —
 * `<prefix>_arena` for a first region without a section (the main RAM: it lands in the .arena output section like a
 * one-region arena) and `<prefix>_arena_<region>` in its region's section for the others. Layer functions get one
 * of them as their `arena` parameter (`param`); buffers elsewhere are addressed by their array's name.
 */
export class ArenaArrays {
  readonly multi: boolean;
  /** The region whose array the layer functions receive as `arena` (the first one used). */
  readonly param: number;

  constructor(
    private readonly plan: MemoryPlan,
    private readonly prefix: string,
    private readonly P: string,
  ) {
    this.multi = plan.regions !== undefined;
    this.param = plan.regions === undefined ? 0 : Math.max(0, plan.regions.findIndex((r) => r.size > 0));
  }

  name(region: number): string {
    const r = this.plan.regions?.[region];
    return r === undefined || (region === 0 && r.section === undefined) ? `${this.prefix}_arena` : `${this.prefix}_arena_${r.name}`;
  }

  sizeMacro(region: number): string {
    const r = this.plan.regions?.[region];
    return r === undefined ? `${this.P}_ARENA_SIZE` : `${this.P}_ARENA_${r.name.toUpperCase()}_SIZE`;
  }

  /** A buffer's bytes as a C expression inside a layer function or the invoke function (`arena` in scope). */
  address(region: number | undefined, offset: number): string {
    return !this.multi || region === this.param ? `arena + ${offset}` : `${this.name(region!)} + ${offset}`;
  }

  /** The base a scratch buffer's offset counts from, when it is not the `arena` parameter. */
  scratchBase(region: number | undefined): string | undefined {
    return !this.multi || region === this.param ? undefined : this.name(region!);
  }

  /** Where an offset is, for comments: "arena offset 12" or "offset 12 of region 'dtcm'". */
  describe(region: number | undefined, offset: number | undefined): string {
    return !this.multi ? `arena offset ${offset}` : `offset ${offset} of region '${this.plan.regions![region!].name}'`;
  }

  /** Multi-region header macros: each region's bytes (ARENA_SIZE is their sum). */
  headerMacros(w: CWriter): void {
    this.plan.regions?.forEach((r, i) => w.line(`#define ${this.sizeMacro(i)} ${r.size}`));
  }

  /** The static arrays of a multi-region plan, each placed by its section (GCC); other compilers get plain arrays. */
  declareRegions(w: CWriter): void {
    const regions = this.plan.regions!;
    w.comment(
      `The arena over ${regions.length} RAM regions, ${this.plan.arenaSize} bytes: ${regions.map((r) => `${r.name} ${r.size} of ${r.room}`).join(', ')}; every tensor and scratch buffer at a planned offset in one region (${this.plan.planner} planner, align ${this.plan.align}; ${this.plan.regionPolicy}).`,
    );
    const used = regions.map((r, i) => ({ r, i })).filter((x) => x.r.size > 0);
    w.line('#if defined(__GNUC__)');
    for (const { r, i } of used) {
      const section = r.section !== undefined ? `, section("${r.section}")` : '';
      w.line(`static int8_t ${this.name(i)}[${this.sizeMacro(i)}] __attribute__((aligned(${this.plan.align})${section}));`);
    }
    w.line('#else');
    w.comment('Without GCC attributes the regions are plain arrays: place them with your toolchain\'s own means.');
    for (const { i } of used) {
      w.line(`static union { int8_t bytes[${this.sizeMacro(i)}]; int64_t align; } ${this.name(i)}_u;`);
      w.line(`#define ${this.name(i)} (${this.name(i)}_u.bytes)`);
    }
    w.line('#endif');
  }
}
