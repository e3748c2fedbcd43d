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
    lowerBound: 3072,
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
    expect(svg).toContain('plain lower bound 3072 bytes');
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
    steps: { label: 'layer', count: 3, names: ['0 Conv2D a', `1 ${EVIL}`, '2 Softmax c'] },
    values: { label: 'median instructions per layer', max: 300 },
    series: [{ key: 'layer', label: 'median', color: '#3182bd' }],
    boxes: [100, 200, 300].map((v, i) => ({ series: 'layer', steps: [i, i + 1] as const, values: [0, v] as const, whisker: [v - 10, v + 0] as const, note: `${i}%`, tip: `layer ${i}`, className: 'layer-bar', data: { layer: i } })),
  });

  it('one bar per step from the top, lengths proportional to the values', () => {
    const bars = rects(svg, 'layer-bar');
    expect(bars.map((b) => b['data-layer'])).toEqual(['0', '1', '2']);
    const widths = bars.map((b) => Number(b.width));
    expect(widths[1] / widths[0]).toBeCloseTo(2, 1);
    expect(widths[2] / widths[0]).toBeCloseTo(3, 1);
    expect(Number(bars[0].y)).toBeLessThan(Number(bars[1].y));
  });

  it('names beside the rows, escaped; the value axis labelled', () => {
    expect(svg).toContain('>0 Conv2D a<');
    expect(svg).toContain('median instructions per layer');
    expect(svg).not.toMatch(/<script/);
    expect(svg).toContain('aria-label="instructions per layer"');
  });
});
