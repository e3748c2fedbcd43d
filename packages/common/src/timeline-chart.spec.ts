import { arenaChartSvg, timelineChartSvg } from './timeline-chart';

const EVIL = '</svg><script>alert(1)</script>"\'`&';

function rects(svg: string, cls: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<rect class="${cls}"([^>]*)>`, 'g'))].map((m) => Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

describe('arenaChartSvg', () => {
  const svg = arenaChartSvg({
    id: 'arena',
    arenaBytes: 4096,
    steps: 4,
    lowerBounds: [{ label: 'lower bound without in-place sharing', bytes: 3072 }],
    buffers: [
      { name: 'input', kind: 'input', offset: 0, size: 1024, firstStep: 0, lastStep: 0 },
      { name: EVIL, kind: 'activation', offset: 1024, size: 3072, firstStep: 1, lastStep: 3 },
    ],
  });

  it('draws each buffer over its steps (x) and addresses (y), larger addresses higher up', () => {
    const [input, act] = rects(svg, 'arena-buffer');
    expect(Number(input.x)).toBeLessThan(Number(act.x));
    expect(Number(act.y)).toBeLessThan(Number(input.y));
    expect(Number(act.height)).toBeCloseTo(3 * Number(input.height), 0);
    expect(Number(act.width)).toBeGreaterThan(2.5 * Number(input.width));
  });

  it('has axis labels, a legend entry per kind drawn, the lower bound, and names on hover, escaped', () => {
    expect(svg).toContain('layer (execution step)');
    expect(svg).toContain('arena offset (bytes)');
    expect(rects(svg, 'legend-swatch')).toHaveLength(2);
    expect(svg).toContain('>model input<');
    expect(svg).toContain('>activation<');
    expect(svg).not.toContain('kernel scratch');
    expect(svg).toContain('<title>lower bound without in-place sharing: 3072 bytes</title>');
    expect(svg).toContain('>lower bound without in-place sharing (3072 B)<'); // its legend entry
    expect(svg).toMatch(/<line class="legend-guide"/);
    expect(svg).toContain('<title>input (input): 1024 bytes at offset 0, steps 0–0</title>');
    expect(svg).not.toMatch(/<script|<\/svg><|alert\(1\)<\/script/);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
  });
});

describe('timelineChartSvg rows', () => {
  const svg = timelineChartSvg({
    id: 'layer-chart',
    title: 'instructions per layer',
    orientation: 'rows',
    steps: { label: 'layer', count: 3, names: ['0 Conv2D a', `1 ${EVIL}`, '2 Softmax c'], fullNames: ['0 Conv2D a;long/full/name', `1 ${EVIL}`, '2 Softmax c'] },
    values: { label: 'median instructions per layer', max: 300 },
    series: [{ key: 'layer', label: 'median', color: '#3182bd' }],
    boxes: [100, 200, 300].map((v, i) => ({ series: 'layer', steps: [i, i + 1] as const, values: [0, v] as const, whisker: [i === 2 ? v : v - 10, v + 0] as const, note: `${i}%`, tip: `layer ${i}`, className: 'layer-bar', data: { layer: i } })),
    width: 1000,
  });

  it('one bar per step from the top, lengths proportional to the values', () => {
    const bars = rects(svg, 'layer-bar');
    expect(bars.map((b) => b['data-layer'])).toEqual(['0', '1', '2']);
    const widths = bars.map((b) => Number(b.width));
    expect(widths[1] / widths[0]).toBeCloseTo(2, 1);
    expect(widths[2] / widths[0]).toBeCloseTo(3, 1);
    expect(Number(bars[0].y)).toBeLessThan(Number(bars[1].y));
  });

  it('names beside the rows, escaped, the full name on hover; the value axis labelled', () => {
    expect(svg).toContain('><title>0 Conv2D a;long/full/name</title>0 Conv2D a<');
    expect(svg).toContain('>2 Softmax c<');
    expect(svg).not.toContain('<title>2 Softmax c</title>');
    expect(svg).toContain('median instructions per layer');
    expect(svg).not.toMatch(/<script/);
    expect(svg).toContain('aria-label="instructions per layer"');
  });

  it('whiskers have caps at min and max, visible even when min = max, and a legend entry', () => {
    const whiskers = [...svg.matchAll(/<g class="whisker"><path d="([^"]*)" fill="none" stroke="#111" stroke-width="1.5"\/><\/g>/g)].map((m) => m[1]);
    expect(whiskers).toHaveLength(3);
    // Three segments each: the min–max line and a cap at each end (6 coordinates pairs).
    for (const d of whiskers) expect(d.match(/[ML]/g)).toHaveLength(6);
    const caps = (d: string) => [...d.matchAll(/M([\d.]+) ([\d.]+) L([\d.]+) ([\d.]+)/g)].slice(1).map((m) => Number(m[1]));
    expect(caps(whiskers[2])[0]).toBe(caps(whiskers[2])[1]); // min = max: both caps at the bar's end
    expect(caps(whiskers[0])[0]).toBeLessThan(caps(whiskers[0])[1]);
    expect(svg).toMatch(/<g class="legend-whisker">.*<\/g><text[^>]*>min–max<\/text>/);
  });

  it('scales down to a narrow page (viewBox), and the label column fits the longest name', () => {
    expect(svg).toMatch(/<svg [^>]*width="1000" [^>]*viewBox="0 0 1000 \d+" style="max-width:100%;height:auto"/);
    const plot = rects(svg, 'plot')[0];
    const longest = Math.max('0 Conv2D a'.length, `1 ${EVIL}`.length, '2 Softmax c'.length);
    expect(Number(plot.x)).toBeGreaterThanOrEqual(longest * 6);
  });

  it('wraps a legend wider than the chart onto more rows', () => {
    const series = Array.from({ length: 12 }, (_, i) => ({ key: `s${i}`, label: `a rather long legend label ${i}`, color: '#123456' }));
    const one = (width: number) => timelineChartSvg({ title: 't', orientation: 'rows', steps: { label: 'l', count: 1 }, values: { label: 'v', max: 1 }, series, boxes: [], width });
    const legendYs = (svgText: string) => new Set(rects(svgText, 'legend-swatch').map((r) => r.y));
    expect(legendYs(one(600)).size).toBeGreaterThan(legendYs(one(4000)).size);
    for (const r of rects(one(600), 'legend-swatch')) expect(Number(r.x) + 16).toBeLessThanOrEqual(600);
  });
});
