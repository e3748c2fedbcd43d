import { progressText, terminalProgress } from './progress';

describe('progress lines', () => {
  it('shows done/total, percentage, rate and ETA', () => {
    expect(progressText('flashing', 32 * 1024, 128 * 1024, 4000, 'bytes')).toBe('flashing [#####...............] 25% 32.0/128.0 KiB 8.0 KiB/s ETA 0:12');
    expect(progressText('validate ref', 250, 1000, 5000, 'inputs')).toBe('validate ref [#####...............] 25% 250/1000 inputs 50/s ETA 0:15');
    expect(progressText('calibrating', 10, 10, 61000)).toBe('calibrating [####################] 100% 10/10 0.2/s 1:01');
  });

  it('redraws in place at most every redrawMs, always at the end, and ends the line', () => {
    let t = 0;
    const out: string[] = [];
    const p = terminalProgress({ write: (s) => out.push(s) }, { enabled: true, now: () => t, redrawMs: 100 });
    const task = p.task('x', 3);
    task.update(1);
    t = 50;
    task.update(2); // too soon
    t = 60;
    task.update(3); // the end is always drawn
    task.end('ok');
    expect(out.map((s) => s.replace(/\x1b\[K/g, ''))).toEqual(['\rx [#######.............] 33% 1/3', '\rx [####################] 100% 3/3 50/s 0:00', ' ok\n']);
  });

  it('writes nothing when disabled (not a terminal, or JSON output)', () => {
    const out: string[] = [];
    const p = terminalProgress({ write: (s) => out.push(s), isTTY: false });
    p.task('x', 3).update(3);
    p.stage('building');
    expect(p.enabled).toBe(false);
    expect(out).toEqual([]);
  });
});
