/**
 * The HTML report in headless Chromium (Debian's `chromium`, driven by playwright-core): it loads with no console
 * errors or failed requests, shows one bar per layer, and a hostile layer name stays text.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeFrame } from '../protocol/frame';
import { decodeStream } from '../protocol/decoder';
import { ProfileRecord } from '../protocol/records';
import { buildReport } from './aggregate';
import { reportHtml } from './html';
import { SessionCollector } from './session';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const headless = require('../../../../tools/testing/chromium') as { available: boolean; executablePath: string; launchChromium: () => ReturnType<typeof import('playwright-core').chromium.launch> };
const CHROMIUM = headless.executablePath;
const available = headless.available;
if (!available) console.warn(`serial-profiler HTML browser test skipped: needs playwright-core and ${CHROMIUM}`);
const d = available ? describe : describe.skip;

const LAYERS = 7;

function report(): ReturnType<typeof buildReport> {
  const recs: ProfileRecord[] = [{ type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: LAYERS }];
  for (let i = 0; i < LAYERS; i++) {
    const name = i === 3 ? '<img src=x onerror="console.error(1)"><script>x()</script>' : `layer_${i}`;
    recs.push({ type: 'layerInfo', index: i, opId: i, macs: 1000 * (i + 1), outputShape: [1, i + 1], name, op: i === 5 ? '</svg><b>op' : 'Conv2D' });
  }
  for (let run = 0; run < 3; run++) {
    for (let i = 0; i < LAYERS; i++) recs.push({ type: 'layer', run, index: i, opId: i, count: 100 * (i + 1) + run });
    recs.push({ type: 'inference', run, total: 3000, layerCount: LAYERS });
  }
  const c = new SessionCollector();
  decodeStream(Buffer.concat(recs.map((r, i) => encodeFrame(r, i)))).frames.forEach((f) => c.add(f));
  const plan = {
    arenaBytes: 4096,
    flashBytes: 10000,
    buffers: [
      { name: 'in<put>', kind: 'input', offset: 0, size: 1024, firstStep: 0, lastStep: 1 },
      { name: 'act', kind: 'activation', offset: 1024, size: 2048, firstStep: 1, lastStep: 6 },
    ],
  };
  return buildReport(c.finish(), { board: { name: 'qemu-m4', clockHz: 25_000_000, kind: 'virtual', icountShift: 3 }, table: { layers: [], arena: plan } });
}

d('HTML report in headless Chromium', () => {
  test('loads without console errors, one bar per layer, names shown as text (shortened, full on hover and in the list), arena drawn', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-profile-html-'));
    const file = path.join(dir, 'profile.html');
    fs.writeFileSync(file, reportHtml(report(), 'kws <test>'));
    const browser = await headless.launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      expect(await page.title()).toBe('kws <test>');
      expect(await page.locator('#layer-chart rect.layer-bar').count()).toBe(LAYERS);
      const widths = await page.locator('rect.layer-bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('width'))));
      expect(widths.every((w, i) => i === 0 || w > widths[i - 1])).toBe(true);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
      const cell = page.locator('#layer-table tbody tr').nth(3).locator('td').nth(1);
      expect(await cell.getAttribute('title')).toBe('<img src=x onerror="console.error(1)"><script>x()</script>');
      expect(await page.locator('details.full-names li').nth(3).textContent()).toBe('3 <img src=x onerror="console.error(1)"><script>x()</script>');
      expect(await page.locator('#arena rect.arena-buffer').count()).toBe(2);
      expect(problems).toEqual([]);
      expect(requests).toEqual([`file://${file}`]);
    } finally {
      await browser.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
