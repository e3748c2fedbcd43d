import { arenaChartSvg, escapeHtml, figureList, fullNamesList, htmlReportPage, nameCell, textHeader, printable } from '@tinyforge/common';
import { Graph, shapeToString, tensorBytes } from '@tinyforge/ir';
import { PackingChoice } from '@tinyforge/kernels-cmsis';
import { MemoryPlan } from '../memory/plan';

/** Drawn for a 1400-pixel window less the page margins; narrower windows scale it down. */
const CHART_WIDTH = 1340;
const NAME_MAX = 40;

/**
 * report.html: one self-contained page (no scripts, no external resources). The arena picture (the one the
 * profile report draws too) shows every buffer as a box over execution step (x) × arena address (y), with the
 * lower bounds dashed; the execution order table names each layer (shortened, the full name on hover and in the
 * list under it); every model string is escaped. For a DSP core the table says which convolutions have packed
 * filters and why; op state (recurrent models) has a section of its own.
 */
export function reportHtml(graph: Graph, plan: MemoryPlan, weightsBytes: number, title: string, packing: (PackingChoice | undefined)[] = []): string {
  const hasPacking = packing.some((c) => c !== undefined);
  const regions = plan.regions;
  const picture = regions !== undefined ? regionPictures(plan) : arenaChartSvg({
    id: 'arena',
    arenaBytes: plan.arenaSize,
    steps: plan.order.length,
    lowerBounds: [
      { label: 'lower bound with in-place sharing', bytes: plan.lowerBoundWithSharing },
      { label: 'lower bound without in-place sharing', bytes: plan.lowerBound },
    ],
    buffers: plan.buffers.map((b) => ({ name: b.name, kind: b.kind, offset: b.offset, size: b.size, firstStep: b.first, lastStep: b.last })),
    width: CHART_WIDTH,
    height: 460,
  });
  const offsetOf = new Map(plan.buffers.filter((b) => b.tensor !== undefined).map((b) => [b.tensor!, b.offset]));
  const regionOf = new Map(plan.buffers.filter((b) => b.tensor !== undefined).map((b) => [b.tensor!, b.region]));
  const regionCell = (t: number) => (regions === undefined ? '' : `<td class="text">${escapeHtml(regions[regionOf.get(t) ?? -1]?.name ?? '-')}</td>`);
  const rows = plan.order
    .map((n, step) => {
      const node = graph.nodes[n];
      const out = graph.tensors[node.outputs[0]];
      const filter = hasPacking ? `<td class="text">${escapeHtml(packing[n]?.reason ?? '')}</td>` : '';
      return `<tr><td>${step}</td>${nameCell(node.name, NAME_MAX)}<td class="text">${escapeHtml(printable(node.op, 24))}</td><td>${escapeHtml(shapeToString(out.shape))}</td><td>${tensorBytes(out)}</td>${regionCell(node.outputs[0])}<td>${offsetOf.get(node.outputs[0]) ?? '-'}</td>${filter}</tr>`;
    })
    .join('\n');
  const stateRows = plan.state.buffers
    .map((b) => `<tr>${nameCell(b.name, NAME_MAX)}<td class="text">${b.kind}</td><td>${b.offset}</td><td>${b.size}</td><td class="text">${b.kind === 'persistent' ? 'first invoke and reset_state()' : 'every invoke'}</td></tr>`)
    .join('\n');
  const stateSection =
    plan.state.buffers.length === 0
      ? ''
      : `<h2>Op state: ${plan.state.size} bytes, a static region outside the arena</h2>
<p>Recurrent state is never part of the reused arena: persistent state carries from one invoke to the next; per-run state is reset at the start of every invoke.</p>
<table class="data" id="state-table"><thead><tr>${textHeader('tensor', 'name')}${textHeader('kind')}<th>offset</th><th>bytes</th><th>reset</th></tr></thead><tbody>
${stateRows}
</tbody></table>
${fullNamesList(plan.state.buffers.map((b, i) => ({ label: String(i), name: b.name })), NAME_MAX)}
`;
  const figures = figureList([
    ['arena', `<b>${plan.arenaSize}</b> bytes (${escapeHtml(plan.planner)} planner, align ${plan.align}, ${plan.shared.length} in-place pairs)`],
    ...(regions !== undefined
      ? [
          [
            'RAM regions',
            `${regions.map((r) => `${escapeHtml(r.name)}${r.fast ? ' (fast)' : ''}: <b>${r.size}</b> of ${r.room} bytes (${((100 * r.size) / Math.max(r.room, 1)).toFixed(1)} %)`).join('; ')}. ${escapeHtml(plan.regionPolicy ?? '')}; a tensor never straddles two regions`,
          ] as [string, string],
        ]
      : []),
    ['lower bound', `${plan.lowerBoundWithSharing} bytes with in-place sharing, ${plan.lowerBound} bytes without (the peak of the bytes live at once in this order)`],
    ['weights', `${weightsBytes} bytes of constant data in flash (alignment included)`],
    ...(plan.state.size > 0 ? [['op state', `${plan.state.size} bytes (static, outside the arena)`] as [string, string]] : []),
  ]);
  return htmlReportPage(
    `${title} — memory plan`,
    `${figures}
${picture}
${stateSection}<h2>Execution order</h2>
<table class="data" id="layer-table"><thead><tr><th>step</th>${textHeader('layer', 'name')}${textHeader('op')}<th>output</th><th>bytes</th>${regions !== undefined ? textHeader('region') : ''}<th>${regions !== undefined ? 'offset in region' : 'arena offset'}</th>${hasPacking ? textHeader('convolution filter') : ''}</tr></thead><tbody>
${rows}
</tbody></table>
${fullNamesList(plan.order.map((n, step) => ({ label: String(step), name: graph.nodes[n].name })), NAME_MAX)}`,
  );
}

/** A multi-region plan: one arena picture per used region (offsets count from the region's array). */
function regionPictures(plan: MemoryPlan): string {
  return plan
    .regions!.map((r, i) => ({ r, i }))
    .filter(({ r }) => r.size > 0)
    .map(
      ({ r, i }) =>
        `<h2>RAM region ${escapeHtml(r.name)}: ${r.size} of ${r.room} bytes</h2>\n` +
        arenaChartSvg({
          id: `arena-${r.name}`,
          arenaBytes: r.size,
          steps: plan.order.length,
          buffers: plan.buffers.filter((b) => b.region === i).map((b) => ({ name: b.name, kind: b.kind, offset: b.offset, size: b.size, firstStep: b.first, lastStep: b.last })),
          width: CHART_WIDTH,
          height: 300,
        }),
    )
    .join('\n');
}
