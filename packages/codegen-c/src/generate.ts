import { createHash } from 'crypto';
import { Graph, isConstant, nodeStats, pipelineSchedule, shapeToString, Tensor, tensorBytes, viewAs } from '@tinyforge/ir';
import { choosePackedFilters, foldedBiasPreferred, hasPackedFilter, KernelCall, kernelPathsFor, lowerNode, packedConvPreferred, packingGainFloor, PackingChoice, withFoldedBias, withInterleavedRows, withPackedFilter } from '@tinyforge/kernels-cmsis';
import { CodegenError } from './errors';
import { CWriter } from './emit/c-writer';
import { emitLayerBody, LayerConstants, LayerMemory, measureLayerConstants } from './emit/layers';
import { shortLayerName } from './emit/layer-names';
import { cCommentText, cIdentifier, cStringLiteral, NameTable } from './emit/naming';
import { constantArrayBytes, linkedConstantBytes, WeightTable } from './emit/weights';
import { ArenaArrays } from './emit/arena-arrays';
import { planJson } from './emit/plan-json';
import { GENERATED_BANNER } from './emit/outputs';
import { reportHtml } from './emit/report-html';
import { checkPlan } from './memory/checker';
import { MemoryPlan, planMemory, PlannerKind } from './memory/plan';
import { ArenaRegion } from './memory/regions';
import { nodeMemory } from './lower/node-memory';

/** Flash left for code when the default flash budget comes from a board's flash (the kernels take ~10-35 KB). */
const PACKED_CODE_ROOM = 64 * 1024;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../package.json').version;

export interface GenerateOptions {
  /** Prefix of every generated symbol and file name. Default: from the graph name. */
  prefix?: string;
  planner?: PlannerKind;
  align?: 4 | 8 | 16;
  /** Emit TINYFORGE_LAYER_BEGIN/END hooks. Default true. */
  profile?: boolean;
  /** Bytes of the model file, for the sha256 in the banner. */
  modelBytes?: Uint8Array;
  /** Let layers overwrite inputs that die there (default true); false is for differential tests. */
  inPlace?: boolean;
  /** Optimal planner time budget in ms. */
  timeLimitMs?: number;
  /** Fail with CODEGEN_RAM_OVERFLOW / CODEGEN_FLASH_OVERFLOW when the model does not fit (e.g. a board's sizes). */
  budget?: { name: string; ramBytes: number; flashBytes: number };
  /**
   * Let convolutions use filters packed for tfg_convolve_packed_s8 where `core` prefers them (a DSP core without
   * Helium: about twice the int8 filters' flash, a third fewer instructions), layer by layer under `flashBudget`.
   * Default true.
   */
  packedConvolutions?: boolean;
  /**
   * Bytes of flash the model's constant data may take. Packed filters are then chosen layer by layer, by estimated
   * instructions saved per extra byte (kernels-cmsis packedFilterGain), best first, while the constants stay within
   * it; a budget at or below the int8 constants packs nothing. Without it (the default build): the filters whose
   * packing saves at least 1.2 % of the model's MACs in instructions per extra KiB (kernels-cmsis packingGainFloor),
   * best first, within `budget`'s flash (a board) less 64 KiB for the code. The plan reports each convolution's
   * choice and why.
   */
  flashBudget?: number;
  /**
   * The core the code is for. Packed filters and folded biases are chosen (or not) here, once: the generated C holds
   * only the chosen variant, and tfg_nn.h stops a build of packed filters for a core without the DSP extension or
   * with Helium. The arena reserves scratch for the core's kernel path and plain C only (a build for another core
   * fails at run time with TFG_ARG_ERROR where it needs more). Without a core the int8 filters are used and scratch
   * is reserved for every path, which every core runs.
   */
  core?: { dsp: boolean; mve: boolean };
  /**
   * Where the arena lives: 'static' (default) in the .c file; 'caller': the application passes it to
   * `<prefix>_init(&model, arena, bytes)` (size and alignment as macros, a status when too small or misaligned) and
   * each `<prefix>_model` instance runs on its own arena, for several models or instances (RTOS tasks).
   */
  arena?: 'static' | 'caller';
  /**
   * The RAM regions a static arena may be split over (a board's `ram` and `extraRam`, each with the bytes the arena
   * may take there): with two or more, every tensor goes to one region (memory/regions.ts: the policy), the C has
   * one array per used region placed by its section, and plan.json and the report show each region's use. The
   * regions replace `budget`'s RAM figure. Not with a caller-provided arena.
   */
  regions?: readonly ArenaRegion[];
}

export interface GeneratedLayer {
  index: number;
  /** Identifier used in the generated code. */
  id: string;
  node: string;
  op: string;
  /** The C kernel the layer calls (tfg_convolve_packed_s8 where it has a packed filter). */
  kernel: string;
  /** For convolutions on a core that prefers packed filters: whether this one has one, and why (or why not). */
  packing?: PackingChoice;
}

export interface GeneratedC {
  prefix: string;
  /** File name → contents: <prefix>.h, <prefix>.c, <prefix>_weights.c, plan.json, report.html. */
  files: Record<string, string>;
  plan: MemoryPlan;
  layers: GeneratedLayer[];
  /**
   * The model's weights figure: bytes of flash its constant data (weights, biases, multipliers, shifts, tables)
   * takes as linked, alignment padding included — the size of the firmware's .weights section.
   */
  flashBytes: number;
  /**
   * What the constant data takes with packed convolution filters (as for a DSP core without Helium, when
   * `packedConvolutions` allows them) and with the int8 filters, whichever was generated.
   */
  flashBytesByBuild: { packedFilters: number; int8Filters: number };
  /** Whether the generated code uses packed filters (some convolutions call tfg_convolve_packed_s8). */
  packedFilters: boolean;
  /** Milliseconds of each stage: lowering to kernel calls, memory planning (with the order), emitting the text. */
  stageMs: { lower: number; reorder: number; plan: number; emit: number };
}

/** Generate plain C for an int8 graph: one kernels-cmsis call per layer over a statically planned arena. */
export function generateC(graph: Graph, options: GenerateOptions = {}): GeneratedC {
  const prefix = cIdentifier(options.prefix ?? graph.name ?? 'model', 32);
  const P = prefix.toUpperCase();
  checkSupported(graph);
  const t0 = performance.now();
  // A DSP core without Helium takes fully connected filters with interleaved rows (the same bytes) wherever its
  // assembly runs them; Helium and plain C the rows as they are.
  const dspLayout = options.core !== undefined && packedConvPreferred(options.core);
  const int8Calls: KernelCall[] = graph.nodes.map((node) => lowerNode(graph, node)).map((call) => (dspLayout ? withInterleavedRows(call) : call));
  const packedCalls = options.packedConvolutions !== false ? int8Calls.map(withPackedFilter) : int8Calls;
  const align = options.align ?? 16;
  const sizes = new ConstantSizes(graph, align);
  const { calls, packing } = chooseCalls(graph, int8Calls, sizes, options);
  // Scratch for the paths the target's build may run (its own and plain C; every path without a core).
  const kernelPaths = kernelPathsFor(options.core);
  const t1 = performance.now();
  const callerArena = options.arena === 'caller';
  const regions = options.regions !== undefined && options.regions.length > 1 ? options.regions : undefined;
  if (callerArena && regions !== undefined) throw new CodegenError('CODEGEN_OPTION', 'a caller-provided arena is one block the application places: it takes no RAM regions');
  const plan = planMemory(graph, { planner: options.planner, align, timeLimitMs: options.timeLimitMs, inPlace: options.inPlace, kernelPaths, regions });
  if (callerArena && plan.state.buffers.length > 0) {
    throw new CodegenError('CODEGEN_OPTION', `a caller-provided arena takes models without op state; this one keeps ${plan.state.size} bytes of LSTM/GRU/SVDF state in a static region: generate it with the static arena`);
  }
  const problems = checkPlan(graph, plan, (n) => nodeMemory(graph, graph.nodes[n], kernelPaths).scratchBytes);
  if (problems.length > 0) throw new CodegenError('CODEGEN_PLAN_INVALID', `memory plan failed its check: ${problems[0]}`);
  const gate = classifierGate(graph, plan);
  if (callerArena && gate !== undefined) throw new CodegenError('CODEGEN_OPTION', 'a caller-provided arena takes models without op state; a pipeline keeps its feature window in a static region: generate it with the static arena');
  const t2 = performance.now();

  const placeOf = new Map<number, { region?: number; offset: number }>();
  if (options.budget !== undefined && regions === undefined && plan.arenaSize > options.budget.ramBytes) {
    const b = options.budget;
    throw new CodegenError('CODEGEN_RAM_OVERFLOW', `the model needs a ${plan.arenaSize}-byte arena but ${b.name} has ${b.ramBytes} bytes of RAM for it: over by ${plan.arenaSize - b.ramBytes} bytes`);
  }
  const arrays = new ArenaArrays(plan, prefix, P);
  const scratchOf = new Map<number, { offset: number; size: number; base?: string }>();
  for (const b of plan.buffers) {
    if (b.tensor !== undefined) placeOf.set(b.tensor, { region: b.region, offset: b.offset });
    else if (b.node !== undefined) {
      const base = arrays.scratchBase(b.region);
      scratchOf.set(b.node, { offset: b.offset, size: b.size, ...(base !== undefined ? { base } : {}) });
    }
  }
  const arenaAt = (t: number): string | undefined => {
    const p = placeOf.get(t);
    return p === undefined ? undefined : arrays.address(p.region, p.offset);
  };
  const stateSlot = new Map(plan.state.buffers.map((b) => [b.tensor, b.offset]));
  const weights = new WeightTable(align);
  const names = new NameTable();
  const constantInputs = new Map<number, string>();
  const at = (t: number): string => {
    const tensor = graph.tensors[t];
    if (isConstant(tensor)) {
      if (!constantInputs.has(t)) {
        constantInputs.set(t, weights.add(`${prefix}_${names.unique(`const_${tensor.name}`, 24)}`, 'int8_t', viewAs(tensor.data, 'int8'), `constant '${tensor.name}'`));
      }
      return constantInputs.get(t)!;
    }
    const slot = stateSlot.get(t);
    if (slot !== undefined) return `${prefix}_state + ${slot}`;
    const where = arenaAt(t);
    if (where === undefined) throw new CodegenError('CODEGEN_PLAN_INVALID', `tensor '${tensor.name}' has no place in the memory plan`);
    return where;
  };

  const layers: GeneratedLayer[] = [];
  const layerBodies = new CWriter();
  const defines = new Set<string>();
  plan.order.forEach((nodeIndex, step) => {
    const node = graph.nodes[nodeIndex];
    const call = calls[nodeIndex];
    const id = `${prefix}_${names.unique(`l${step}_${shortLayerName(node)}`)}`;
    const choice = packing[nodeIndex];
    layers.push({ index: step, id, node: node.name, op: node.op, kernel: call.kernel, ...(choice !== undefined ? { packing: choice } : {}) });
    const x = graph.tensors[node.inputs[0]];
    const y = graph.tensors[node.outputs[0]];
    layerBodies.comment(`layer ${step}: ${node.op} '${cCommentText(node.name, 80)}'`);
    const outPlace = placeOf.get(node.outputs[0]);
    layerBodies.comment(`  ${shapeToString(x.shape)} -> ${shapeToString(y.shape)}, output at ${arrays.describe(outPlace?.region, outPlace?.offset)}`);
    const mem: LayerMemory = {
      at,
      scratch: scratchOf.get(nodeIndex),
      aliased: arenaAt(node.inputs[0]) === arenaAt(node.outputs[0]),
    };
    const constants: LayerConstants = { arrayBytes: [], tensors: [] };
    layerBodies.block(`static tfg_status ${id}(int8_t *arena)`, () => {
      if (arrays.multi) layerBodies.line('(void)arena; /* buffers in other regions are addressed by their array */');
      emitLayerBody(layerBodies, call, id, mem, weights, defines, constants);
    });
    sizes.record(call, constants);
    layerBodies.line();
  });

  const sha = options.modelBytes ? createHash('sha256').update(options.modelBytes).digest('hex') : 'unknown';
  const banner = (what: string): string[] => [
    `/* ${what}`,
    ` * ${GENERATED_BANNER} ${VERSION} from model '${cCommentText(graph.name, 60)}' (sha256 ${sha}).`,
    ` * Do not edit: regenerate from the model instead. */`,
  ];
  const header = emitHeader(graph, prefix, P, plan, layers, banner, callerArena, arrays, gate);
  // Where each graph output's bytes are: the arena, or (an output no layer computes) its constant array in flash.
  const outputAt = graph.outputs.map(at);
  const source = emitSource(graph, prefix, P, plan, layers, layerBodies, weights, defines, arrays, arenaAt, outputAt, options.profile !== false, banner, callerArena, gate);
  const weightsFile = new CWriter();
  banner(`${prefix}_weights.c: constant data of the model (weights, biases, multipliers, shifts), for flash.`).forEach((l) => weightsFile.line(l));
  weightsFile.line('#include <stdint.h>');
  weightsFile.line();
  weightsFile.comment('Aligned for word loads, in a section of its own so that a linker script can place it in flash.');
  weightsFile.line('#if defined(__GNUC__)');
  weightsFile.line(`#define ${P}_CONST_DATA __attribute__((aligned(${align}), section(".rodata.${prefix}_weights")))`);
  weightsFile.line('#else');
  weightsFile.line(`#define ${P}_CONST_DATA`);
  weightsFile.line('#endif');
  weightsFile.line();
  weights.definitions(weightsFile, `${P}_CONST_DATA`);
  const flashBytes = weights.bytes;
  // The other build's figure: only the calls that differ from the emitted ones are measured.
  const flashBytesByBuild = { packedFilters: sizes.bytes(packedCalls), int8Filters: sizes.bytes(int8Calls) };
  if (options.budget !== undefined && flashBytes > options.budget.flashBytes) {
    const b = options.budget;
    throw new CodegenError('CODEGEN_FLASH_OVERFLOW', `the model's constant data takes ${flashBytes} bytes but ${b.name} has ${b.flashBytes} bytes of flash: over by ${flashBytes - b.flashBytes} bytes`);
  }
  return {
    prefix,
    files: {
      [`${prefix}.h`]: header,
      [`${prefix}.c`]: source,
      [`${prefix}_weights.c`]: weightsFile.toString(),
      'plan.json': planJson(graph, plan, flashBytes, packing),
      'report.html': reportHtml(graph, plan, flashBytes, prefix, packing),
    },
    plan,
    layers,
    flashBytes,
    flashBytesByBuild,
    packedFilters: calls.some(hasPackedFilter),
    stageMs: { lower: t1 - t0, reorder: plan.reorderMs, plan: t2 - t1 - plan.reorderMs, emit: performance.now() - t2 },
  };
}

/**
 * A pipeline's classifier (pipelineSchedule: the layers reading its FeatureWindow, stride > 1): the step from which
 * the layers run on every stride-th invoke only, which must be the plan order's tail, and which graph outputs those
 * layers compute (kept in a static copy between their runs, so that every invoke returns the latest scores).
 */
interface ClassifierGate {
  stride: number;
  firstStep: number;
  gatedOutputs: boolean[];
}

function classifierGate(graph: Graph, plan: MemoryPlan): ClassifierGate | undefined {
  const schedule = pipelineSchedule(graph);
  if (schedule === undefined) return undefined;
  const gatedSteps = plan.order.map((n) => schedule.gated[n]);
  const firstStep = gatedSteps.indexOf(true);
  if (firstStep < 0 || gatedSteps.slice(firstStep).some((g) => !g)) {
    throw new CodegenError('CODEGEN_PLAN_INVALID', 'the layers after the feature window are not the tail of the execution order');
  }
  const producedBy = new Map(graph.nodes.map((n, i) => [n.outputs[0], i]));
  const gatedOutputs = graph.outputs.map((t) => producedBy.has(t) && schedule.gated[producedBy.get(t)!]);
  return { stride: schedule.stride, firstStep, gatedOutputs };
}

/**
 * The calls for the target, decided here once: Helium takes biases folded with the input offset (the same flash, no
 * run-time weight sums); a DSP core without Helium takes packed filters, layer by layer under `flashBudget` when
 * given, else those saving at least the default floor per byte (packingGainFloor) within the board's flash less
 * PACKED_CODE_ROOM for the code. Each convolution's packing choice is returned by node index for the plan.
 */
function chooseCalls(graph: Graph, int8Calls: KernelCall[], sizes: ConstantSizes, options: GenerateOptions): { calls: KernelCall[]; packing: (PackingChoice | undefined)[] } {
  const core = options.core;
  const none = int8Calls.map(() => undefined);
  if (core !== undefined && foldedBiasPreferred(core)) return { calls: int8Calls.map(withFoldedBias), packing: none };
  if (core === undefined || !packedConvPreferred(core)) return { calls: int8Calls, packing: none };
  if (options.packedConvolutions === false) {
    return { calls: int8Calls, packing: int8Calls.map((c) => (c.kernel === 'tfg_convolve_wrapper_s8' ? { packed: false, reason: 'int8: packed filters turned off' } : undefined)) };
  }
  if (options.flashBudget === undefined) {
    // No budget given: the layers whose packed filter saves at least the default floor per byte, within the board's
    // flash less PACKED_CODE_ROOM for the code (no limit without a board).
    const macs = graph.nodes.reduce((sum, node) => sum + nodeStats(graph, node).macs, 0);
    const room = options.budget === undefined ? Infinity : options.budget.flashBytes - PACKED_CODE_ROOM;
    const roomText = options.budget === undefined ? 'no board' : `${options.budget.name}'s flash less ${PACKED_CODE_ROOM} bytes for the code`;
    return withinBudget(int8Calls, choosePackedFilters(int8Calls, sizes.bytes(int8Calls), room, packingGainFloor(macs)), room, sizes, roomText);
  }
  const budget = options.flashBudget;
  if (!(budget >= 0)) throw new CodegenError('CODEGEN_OPTION', `flash budget ${budget}: it must be a number of bytes >= 0`);
  return withinBudget(int8Calls, choosePackedFilters(int8Calls, sizes.bytes(int8Calls), budget), budget, sizes, 'the flash budget');
}

/**
 * The estimate counts array bytes; the weight table aligns each array. Drop the least gainful packed filter while the
 * exact total passes the budget (`what` names it in the reason).
 */
function withinBudget(int8Calls: KernelCall[], first: { calls: KernelCall[]; choices: (PackingChoice | undefined)[] }, budget: number, sizes: ConstantSizes, what: string): { calls: KernelCall[]; packing: (PackingChoice | undefined)[] } {
  let chosen = first;
  while (chosen.calls.some(hasPackedFilter) && sizes.bytes(chosen.calls) > budget) {
    const packedAt = chosen.choices.map((c, i) => ({ c, i })).filter((x) => x.c?.packed === true);
    const worst = packedAt.reduce((a, b) => ((b.c!.gain ?? 0) / (b.c!.extraBytes ?? 1) < (a.c!.gain ?? 0) / (a.c!.extraBytes ?? 1) ? b : a));
    const calls = [...chosen.calls];
    calls[worst.i] = int8Calls[worst.i];
    const choices = [...chosen.choices];
    choices[worst.i] = { ...worst.c!, packed: false, reason: `int8: with the arrays' alignment its packed filter would pass ${what} (${budget} bytes)` };
    chosen = { calls, choices };
  }
  return { calls: chosen.calls, packing: chosen.choices };
}

/**
 * Bytes of constant data the layers of a set of calls put in flash (what a generation with them would hold), from
 * each call's LayerConstants: recorded where the call was emitted, measured once otherwise (a packed variant of an
 * emitted int8 call), so that sizing the builds never emits the model's C again.
 */
class ConstantSizes {
  private readonly byCall = new Map<KernelCall, LayerConstants>();

  constructor(
    private readonly graph: Graph,
    private readonly align: number,
  ) {}

  record(call: KernelCall, constants: LayerConstants): void {
    this.byCall.set(call, constants);
  }

  bytes(calls: readonly KernelCall[]): number {
    const arrays: number[] = [];
    const tensors = new Set<number>();
    for (const call of calls) {
      let constants = this.byCall.get(call);
      if (constants === undefined) this.byCall.set(call, (constants = measureLayerConstants(call)));
      for (const b of constants.arrayBytes) arrays.push(b);
      for (const t of constants.tensors) if (isConstant(this.graph.tensors[t])) tensors.add(t);
    }
    // An output no layer computes is copied from its constant array.
    for (const t of this.graph.outputs) if (isConstant(this.graph.tensors[t])) tensors.add(t);
    for (const t of tensors) arrays.push(constantArrayBytes('int8_t', this.graph.tensors[t].data!.length));
    return linkedConstantBytes(arrays, this.align);
  }
}

/** Element types a graph's inputs and outputs may have: what the kernels read and write. */
const IO_DTYPES = new Set(['int8', 'int16', 'int32', 'float32', 'uint32', 'uint64']);

function checkSupported(graph: Graph): void {
  for (const t of [...graph.inputs, ...graph.outputs]) {
    const tensor = graph.tensors[t];
    if (!IO_DTYPES.has(tensor.dtype)) {
      throw new CodegenError('CODEGEN_UNSUPPORTED', `graph input/output '${tensor.name}' is ${tensor.dtype}; codegen takes int8, int16, int32, uint32, uint64 or float32 inputs and outputs`);
    }
  }
}

/** The invoke function's parameters: int8 tensors as int8_t arrays, others as their raw bytes (`void *`). */
function invokeParameters(graph: Graph): string {
  return [
    ...graph.inputs.map((t, k) => (graph.tensors[t].dtype === 'int8' ? `const int8_t *input${k}` : `const void *input${k}`)),
    ...graph.outputs.map((t, k) => (graph.tensors[t].dtype === 'int8' ? `int8_t *output${k}` : `void *output${k}`)),
  ].join(', ');
}

function quantMacros(w: CWriter, P: string, role: string, k: number, t: Tensor): void {
  const q = t.quant;
  w.line(`#define ${P}_${role}${k}_SIZE ${tensorBytes(t)}`);
  w.line(`#define ${P}_${role}${k}_RANK ${t.shape.length}`);
  w.line(`#define ${P}_${role}${k}_SHAPE {${t.shape.join(', ')}}`);
  w.line(`#define ${P}_${role}${k}_SCALE ${q ? q.scale[0].toPrecision(9) : '1.0'}f`);
  w.line(`#define ${P}_${role}${k}_ZERO_POINT (${q ? q.zeroPoint[0] : 0})`);
}

/** The caller-arena API's first parameter and its use in the invoke call. */
function modelParameter(prefix: string, callerArena: boolean): string {
  return callerArena ? `${prefix}_model *model, ` : '';
}

function emitHeader(graph: Graph, prefix: string, P: string, plan: MemoryPlan, layers: GeneratedLayer[], banner: (s: string) => string[], callerArena: boolean, arrays: ArenaArrays, gate: ClassifierGate | undefined): string {
  const w = new CWriter();
  banner(`${prefix}.h: the model's API.`).forEach((l) => w.line(l));
  w.line(`#ifndef ${P}_H`);
  w.line(`#define ${P}_H`);
  w.line();
  if (callerArena) w.line('#include <stddef.h>');
  w.line('#include <stdint.h>');
  w.line();
  w.line('#ifdef __cplusplus');
  w.line('extern "C" {');
  w.line('#endif');
  w.line();
  w.line(`#define ${P}_INPUT_COUNT ${graph.inputs.length}`);
  graph.inputs.forEach((t, k) => quantMacros(w, P, 'INPUT', k, graph.tensors[t]));
  w.line(`#define ${P}_OUTPUT_COUNT ${graph.outputs.length}`);
  graph.outputs.forEach((t, k) => quantMacros(w, P, 'OUTPUT', k, graph.tensors[t]));
  w.line();
  if (callerArena) {
    w.comment(`Bytes and alignment of the arena the application passes to ${prefix}_init (the lower bound of any plan without sharing is ${plan.lowerBound}).`);
    w.line(`#define ${P}_ARENA_SIZE ${plan.arenaSize}`);
    w.line(`#define ${P}_ARENA_ALIGN ${plan.align}`);
  } else if (arrays.multi) {
    w.comment(`Bytes of RAM the model's arena uses, over ${plan.regions!.length} RAM regions (one array per region inside the .c file; the lower bound of any plan without sharing is ${plan.lowerBound}).`);
    w.line(`#define ${P}_ARENA_SIZE ${plan.arenaSize}`);
    arrays.headerMacros(w);
  } else {
    w.comment(`Bytes of RAM the model uses (one arena inside the .c file; the lower bound of any plan without sharing is ${plan.lowerBound}).`);
    w.line(`#define ${P}_ARENA_SIZE ${plan.arenaSize}`);
  }
  w.line(`#define ${P}_LAYER_COUNT ${layers.length}`);
  w.line(`#define ${P}_LAYER_NAMES { \\`);
  layers.forEach((l, i) => w.line(`  ${cStringLiteral(l.id.slice(prefix.length + 1), 60)}${i + 1 < layers.length ? ',' : ''} \\`));
  w.line('}');
  w.line();
  const params = invokeParameters(graph);
  if (plan.state.buffers.length > 0) {
    w.comment(`Bytes of op state (LSTM/SVDF/GRU state) in a static region of its own, beside the arena.`);
    w.line(`#define ${P}_STATE_SIZE ${plan.state.size}`);
  }
  w.comment('Run the model once. Returns 0, or 1 + the index of the layer whose kernel reported an error.');
  if (gate !== undefined) {
    w.comment(`A pipeline: the layers from ${gate.firstStep} on (the classifier) run on every ${gate.stride}th invoke since the start or the last reset;`);
    w.comment('the other invokes return the latest outputs those layers computed (zero before their first run).');
    w.line(`#define ${P}_PIPELINE_STRIDE ${gate.stride}`);
  }
  if (plan.state.buffers.some((b) => b.kind === 'persistent')) {
    w.comment('Recurrent state carries from one invoke to the next (as TFLite Micro\'s variable tensors) until reset.');
  }
  if (callerArena) {
    w.comment(`${prefix}_init statuses; ${prefix}_invoke returns ${P}_NOT_INITIALISED for a model ${prefix}_init did not accept.`);
    w.line(`#define ${P}_INIT_OK 0`);
    w.line(`#define ${P}_INIT_ARENA_TOO_SMALL 1`);
    w.line(`#define ${P}_INIT_ARENA_MISALIGNED 2`);
    w.line(`#define ${P}_NOT_INITIALISED (-1)`);
    w.comment('One instance of the model: it runs on the arena given to init, so instances with separate arenas run side by side.');
    w.line(`typedef struct ${prefix}_model { int8_t *arena; } ${prefix}_model;`);
    w.comment(`Give the model its arena: at least ${P}_ARENA_SIZE bytes aligned to ${P}_ARENA_ALIGN. Returns ${P}_INIT_OK or why not.`);
    w.line(`int ${prefix}_init(${prefix}_model *model, void *arena, size_t bytes);`);
  }
  w.line(`int ${prefix}_invoke(${modelParameter(prefix, callerArena)}${params});`);
  w.comment(
    `The model's own input and output tensors, in place (no copies): write input k (${P}_INPUTk_SIZE bytes) at ${prefix}_input(k), ` +
      `call ${prefix}_run(), read output k at ${prefix}_output(k). Layers reuse the inputs' bytes (and the next inputs may ` +
      `overlap the outputs): write every input before each run, read the outputs before writing the next input. NULL for k out of range.`,
  );
  w.line(`void *${prefix}_input(${modelParameter(prefix, callerArena)}int k);`);
  w.line(`const void *${prefix}_output(${modelParameter(prefix, callerArena)}int k);`);
  w.comment(`Run the model on its input tensors as they stand; returns as ${prefix}_invoke does.`);
  w.line(`int ${prefix}_run(${callerArena ? `${prefix}_model *model` : 'void'});`);
  w.comment('Set every op state tensor to its initial value (zero, or an int8 tensor\'s zero point), as at start-up.');
  w.line(`void ${prefix}_reset_state(void);`);
  w.line();
  w.line('#ifdef __cplusplus');
  w.line('}');
  w.line('#endif');
  w.line();
  w.line(`#endif /* ${P}_H */`);
  return w.toString();
}

function emitSource(
  graph: Graph,
  prefix: string,
  P: string,
  plan: MemoryPlan,
  layers: GeneratedLayer[],
  layerBodies: CWriter,
  weights: WeightTable,
  defines: Set<string>,
  arrays: ArenaArrays,
  arenaAt: (t: number) => string | undefined,
  outputAt: readonly string[],
  profile: boolean,
  banner: (s: string) => string[],
  callerArena: boolean,
  gate: ClassifierGate | undefined,
): string {
  const w = new CWriter();
  banner(`${prefix}.c: one kernels-cmsis call per layer over a statically planned arena.`).forEach((l) => w.line(l));
  w.line('#include <stddef.h>');
  w.line('#include <stdint.h>');
  w.line('#include <string.h>');
  w.line();
  if (defines.size > 0) {
    w.comment('What this code was generated for; tfg_nn.h checks that the build agrees.');
    for (const macro of defines) w.line(`#define ${macro} 1`);
  }
  w.line('#include "tfg_nn.h"');
  w.line(`#include "${prefix}.h"`);
  w.line();
  if (profile) {
    w.comment('Profiling hooks: empty unless the board support defines them.');
    w.line('#ifndef TINYFORGE_LAYER_BEGIN');
    w.line('#define TINYFORGE_LAYER_BEGIN(i) ((void)0)');
    w.line('#endif');
    w.line('#ifndef TINYFORGE_LAYER_END');
    w.line('#define TINYFORGE_LAYER_END(i) ((void)0)');
    w.line('#endif');
  }
  w.comment('Debug builds may define this to see every layer output (layer index, tensor index, bytes, size).');
  w.line('#ifndef TINYFORGE_TENSOR_DUMP');
  w.line('#define TINYFORGE_TENSOR_DUMP(layer, tensor, data, size) ((void)0)');
  w.line('#endif');
  w.line();
  weights.externDeclarations(w);
  w.line();
  if (callerArena) {
    w.comment(`The arena is the caller's: ${plan.arenaSize} bytes, every tensor and scratch buffer at a planned offset (${plan.planner} planner, align ${plan.align}).`);
    w.block(`int ${prefix}_init(${prefix}_model *model, void *arena, size_t bytes)`, () => {
      w.line(`if (model == NULL) return ${P}_INIT_ARENA_TOO_SMALL;`);
      w.line('model->arena = NULL;');
      w.line(`if (arena == NULL || bytes < ${P}_ARENA_SIZE) return ${P}_INIT_ARENA_TOO_SMALL;`);
      w.line(`if (((uintptr_t)arena % ${P}_ARENA_ALIGN) != 0) return ${P}_INIT_ARENA_MISALIGNED;`);
      w.line('model->arena = (int8_t *)arena;');
      w.line(`return ${P}_INIT_OK;`);
    });
  } else if (arrays.multi) {
    arrays.declareRegions(w);
  } else {
    w.comment(`The arena: ${plan.arenaSize} bytes, every tensor and scratch buffer at a planned offset (${plan.planner} planner, align ${plan.align}).`);
    w.line('#if defined(__GNUC__)');
    w.line(`static int8_t ${prefix}_arena[${P}_ARENA_SIZE];`);
    w.line('#else');
    w.line(`static union { int8_t bytes[${P}_ARENA_SIZE]; int64_t align; } ${prefix}_arena_u;`);
    w.line(`#define ${prefix}_arena (${prefix}_arena_u.bytes)`);
    w.line('#endif');
  }
  w.line();
  if (plan.state.buffers.length > 0) {
    w.comment(`Op state: ${plan.state.size} bytes outside the arena, never reused (${plan.state.buffers.map((b) => `${b.kind} '${cCommentText(b.name, 40)}' at ${b.offset}`).join(', ')}).`);
    w.line('#if defined(__GNUC__)');
    w.line(`static int8_t ${prefix}_state[${P}_STATE_SIZE];`);
    w.line('#else');
    w.line(`static union { int8_t bytes[${P}_STATE_SIZE]; int64_t align; } ${prefix}_state_u;`);
    w.line(`#define ${prefix}_state (${prefix}_state_u.bytes)`);
    w.line('#endif');
    if (plan.state.buffers.some((b) => b.kind === 'persistent')) w.line(`static int ${prefix}_state_ready;`);
    w.line();
  }
  if (gate !== undefined) {
    w.comment(`The pipeline's classifier runs on every ${gate.stride}th invoke; its outputs are kept here in between.`);
    w.line(`static uint32_t ${prefix}_frames_since_classifier;`);
    graph.outputs.forEach((_, k) => {
      if (gate.gatedOutputs[k]) w.line(`static int8_t ${prefix}_latest_output${k}[${P}_OUTPUT${k}_SIZE];`);
    });
    w.line();
  }
  w.line(layerBodies.toString().trimEnd());
  w.line();
  const params = invokeParameters(graph);
  const { state } = plan;
  const persistent = state.buffers.filter((b) => b.kind === 'persistent');
  const perRun = state.buffers.filter((b) => b.kind === 'per-run');
  const resetSlot = (b: (typeof state.buffers)[number]): void => {
    w.line(`memset(${prefix}_state + ${b.offset}, ${b.resetByte}, ${b.size}); /* ${cCommentText(b.name, 60)} (${b.kind}) */`);
  };
  w.block(`void ${prefix}_reset_state(void)`, () => {
    if (state.buffers.length === 0) w.comment('no op state');
    state.buffers.forEach(resetSlot);
    if (persistent.length > 0) w.line(`${prefix}_state_ready = 1;`);
    if (gate !== undefined) w.line(`${prefix}_frames_since_classifier = 0;`);
  });
  w.line();
  const arenaOf = callerArena ? 'model->arena' : arrays.name(arrays.param);
  const notReady = callerArena ? `if (model == NULL || model->arena == NULL) return ${P}_NOT_INITIALISED;` : undefined;
  const inputAt = graph.inputs.map((t) => arenaAt(t)!);
  const usesArena = (where: readonly string[]): boolean => where.some((x) => x.startsWith('arena'));
  // input k / output k by index: the arena's own tensors (an output no layer computes: its constant array).
  const byIndex = (kind: 'input' | 'output', where: readonly string[]): void => {
    const type = kind === 'input' ? 'void *' : 'const void *';
    w.block(`${type}${prefix}_${kind}(${modelParameter(prefix, callerArena)}int k)`, () => {
      if (callerArena) w.line('if (model == NULL || model->arena == NULL) return NULL;');
      if (usesArena(where)) w.line(`int8_t *const arena = ${arenaOf};`);
      where.forEach((x, k) => w.line(`if (k == ${k}) return (${type})(${x});`));
      w.line('return NULL;');
    });
    w.line();
  };
  // A pipeline's gated outputs are read from their copies, kept between the classifier's runs.
  const outputFrom = outputAt.map((where, k) => (gate?.gatedOutputs[k] ? `${prefix}_latest_output${k}` : where));
  byIndex('input', inputAt);
  byIndex('output', outputFrom);
  w.block(`int ${prefix}_run(${callerArena ? `${prefix}_model *model` : 'void'})`, () => {
    if (notReady !== undefined) w.line(notReady);
    // A graph whose outputs are all constants has no layer to hand the arena to.
    if (layers.length > 0) w.line(`int8_t *const arena = ${arenaOf};`);
    if (persistent.length > 0) w.line(`if (!${prefix}_state_ready) ${prefix}_reset_state();`);
    perRun.forEach(resetSlot);
    const emitLayer = (l: GeneratedLayer, step: number): void => {
      const node = graph.nodes[plan.order[step]];
      const out = node.outputs[0];
      if (profile) w.line(`TINYFORGE_LAYER_BEGIN(${step});`);
      w.line(`if (${l.id}(arena) != TFG_OK) return ${step + 1};`);
      if (profile) w.line(`TINYFORGE_LAYER_END(${step});`);
      w.line(`TINYFORGE_TENSOR_DUMP(${step}, ${out}, ${arenaAt(out)}, ${tensorBytes(graph.tensors[out])});`);
    };
    if (gate === undefined) layers.forEach(emitLayer);
    else {
      layers.slice(0, gate.firstStep).forEach(emitLayer);
      w.block(`if (++${prefix}_frames_since_classifier >= ${P}_PIPELINE_STRIDE)`, () => {
        w.line(`${prefix}_frames_since_classifier = 0;`);
        layers.slice(gate.firstStep).forEach((l, k) => emitLayer(l, gate.firstStep + k));
        outputAt.forEach((where, k) => {
          if (gate.gatedOutputs[k]) w.line(`memcpy(${prefix}_latest_output${k}, ${where}, ${P}_OUTPUT${k}_SIZE);`);
        });
      });
    }
    w.line('return 0;');
  });
  w.line();
  w.comment(`${prefix}_run on copies of the caller's inputs, its outputs copied out.`);
  w.block(`int ${prefix}_invoke(${modelParameter(prefix, callerArena)}${params})`, () => {
    if (notReady !== undefined) w.line(notReady);
    if (usesArena(inputAt) || usesArena(outputFrom)) w.line(`int8_t *const arena = ${arenaOf};`);
    w.line('int status;');
    inputAt.forEach((where, k) => w.line(`memcpy(${where}, input${k}, ${P}_INPUT${k}_SIZE);`));
    w.line(`status = ${prefix}_run(${callerArena ? 'model' : ''});`);
    w.line('if (status != 0) return status;');
    outputFrom.forEach((where, k) => w.line(`memcpy(output${k}, ${where}, ${P}_OUTPUT${k}_SIZE);`));
    w.line('return 0;');
  });
  return w.toString();
}
