import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { SeedFormat } from '@tinyforge/model-format/testing';
import { makeHostCacheDir } from './pipeline';
import type { CaseReport, FromWorker, ToWorker } from './protocol';

/**
 * A fuzz campaign: cases handed to worker processes, each case measured on its own — CPU time of the worker and
 * the compilers it runs, peak resident memory of the worker (Linux: VmHWM, reset per case through clear_refs),
 * wall time as a hang guard — and counted by outcome. A worker that goes over a bound is killed and replaced.
 */

export type Outcome = 'typed' | 'success' | 'mismatch' | 'internal' | 'crash' | 'over-time' | 'over-memory';
export const OUTCOMES: readonly Outcome[] = ['typed', 'success', 'mismatch', 'internal', 'crash', 'over-time', 'over-memory'];

export interface CampaignOptions {
  format: SeedFormat;
  /** The shared models folder (../shared). */
  sharedDir: string;
  count: number;
  /** Case i mutates seed model schedule[i mod schedule length] (seeds.ts seedSchedule) with seed `seed + i`. */
  seed: number;
  /** Only these seed models (file names or paths under sharedDir). */
  models?: string[];
  workers?: number;
  /** CPU time of one case (worker + compilers) above which it counts as over-time (the worker's own CPU time is
   * also polled, and a case spinning past the bound is killed). Default 10 s. */
  cpuLimitMs?: number;
  /** Wall time after which a case is killed as a hang: only a guard against a case that blocks without using CPU,
   * generous because a loaded machine stretches wall time many times over. Default 600 s. */
  wallLimitMs?: number;
  /** Peak resident memory of the worker above which a case counts as over-memory (and is killed). Default 1 GiB. */
  memoryLimitBytes?: number;
  noHost?: boolean;
  /** The compiled worker (dist/worker.js); specs running from sources pass the built one. */
  workerScript?: string;
  onCase?: (c: CaseOutcome, done: number) => void;
}

export interface CaseOutcome {
  index: number;
  seed: number;
  model: string;
  outcome: Outcome;
  cpuMs: number;
  wallMs: number;
  peakRssBytes: number;
  report?: CaseReport;
  /** Why a worker died or was killed. */
  detail?: string;
}

export interface CampaignResult {
  seeds: string[];
  counts: Record<Outcome, number>;
  /** Typed errors by code. */
  typedCodes: Record<string, number>;
  /** Cases that are not a typed error or a success. */
  failures: CaseOutcome[];
  maxCpuMs: number;
  maxWallMs: number;
  maxPeakRssBytes: number;
  /** Mutation kinds used, with how many cases each reached the engines. */
  kinds: Record<string, { cases: number; accepted: number }>;
  /** Milliseconds (wall, in the workers) spent in each pipeline stage over all cases: where a campaign's time goes. */
  stageMs: Record<string, number>;
  seconds: number;
}

const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14–17 (1-based), i.e. 11–14 after the command.
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * CLOCK_TICK_MS;
  } catch {
    return 0;
  }
}

function procStatusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function resetPeak(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not Linux, or not allowed: the peak then counts from the worker's start (an upper bound)
  }
}

interface Case {
  index: number;
  seed: number;
}

class Worker {
  private child: ChildProcess | undefined;
  private seeds: string[] = [];
  private schedule: number[] = [];
  private stderr = '';

  constructor(private readonly options: Required<Pick<CampaignOptions, 'cpuLimitMs' | 'wallLimitMs' | 'memoryLimitBytes'>> & CampaignOptions, private readonly hostCacheDir: string, private readonly script: string) {}

  async start(): Promise<string[]> {
    this.stderr = '';
    const child = fork(this.script, [], { execArgv: ['--expose-gc', '--max-old-space-size=8192', '--stack-size=4000'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child = child;
    const init: ToWorker = { type: 'init', sharedDir: this.options.sharedDir, format: this.options.format, models: this.options.models, hostCacheDir: this.hostCacheDir, noHost: this.options.noHost === true };
    child.send(init);
    this.seeds = await new Promise<string[]>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready') {
          child.off('message', onMessage);
          this.schedule = m.schedule;
          resolve(m.seeds);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => reject(new Error(`fuzz worker exited during start-up (${code ?? signal}): ${this.stderr}`)));
    });
    return this.seeds;
  }

  run(c: Case): Promise<CaseOutcome> {
    const child = this.child!;
    const pid = child.pid!;
    const o = this.options;
    return new Promise<CaseOutcome>((resolve) => {
      let cpu0 = 0;
      let t0 = 0;
      let peakKb = 0;
      let killedFor: { outcome: Outcome; detail: string } | undefined;
      let poll: NodeJS.Timeout | undefined;
      const base = { index: c.index, seed: c.seed, model: this.seeds[this.schedule[c.index % this.schedule.length]] ?? '?' };
      const finish = (out: CaseOutcome): void => {
        if (poll !== undefined) clearInterval(poll);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(out);
      };
      // The last CPU reading: a killed worker's /proc entry is gone when its exit is seen.
      let cpuSeen = 0;
      const measure = (): { cpuMs: number; wallMs: number } => {
        const now = procCpuMs(pid) - cpu0;
        return { cpuMs: now >= 0 ? Math.max(now, cpuSeen) : cpuSeen, wallMs: performance.now() - t0 };
      };
      let ticks = 0;
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'start') {
          resetPeak(pid);
          cpu0 = procCpuMs(pid);
          t0 = performance.now();
          poll = setInterval(() => {
            const rss = procStatusKb(pid, 'VmRSS');
            peakKb = Math.max(peakKb, rss);
            if (killedFor !== undefined) return;
            if (++ticks % 20 === 0) cpuSeen = Math.max(cpuSeen, procCpuMs(pid) - cpu0);
            if (rss * 1024 > o.memoryLimitBytes) killedFor = { outcome: 'over-memory', detail: `resident memory ${Math.round(rss / 1024)} MiB` };
            else if (cpuSeen > o.cpuLimitMs) killedFor = { outcome: 'over-time', detail: `over the CPU bound: ${cpuSeen} ms CPU` };
            else if (performance.now() - t0 > o.wallLimitMs) killedFor = { outcome: 'over-time', detail: `still running after ${o.wallLimitMs} ms (wall), ${cpuSeen} ms CPU: a hang` };
            if (killedFor !== undefined) child.kill('SIGKILL');
          }, 50);
          child.send({ type: 'go' } satisfies ToWorker);
        } else if (m.type === 'done') {
          const { cpuMs, wallMs } = measure();
          peakKb = Math.max(peakKb, procStatusKb(pid, 'VmHWM'));
          const peakRssBytes = peakKb * 1024;
          const r = m.report.result;
          let outcome: Outcome = r.kind;
          if (peakRssBytes > o.memoryLimitBytes) outcome = 'over-memory';
          else if (cpuMs > o.cpuLimitMs) outcome = 'over-time';
          finish({ ...base, outcome, cpuMs, wallMs, peakRssBytes, report: m.report });
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        const { cpuMs, wallMs } = measure();
        this.child = undefined;
        const outcome = killedFor?.outcome ?? (peakKb * 1024 > o.memoryLimitBytes * 0.9 ? 'over-memory' : 'crash');
        finish({ ...base, outcome, cpuMs, wallMs, peakRssBytes: peakKb * 1024, detail: killedFor?.detail ?? `worker exited (${code ?? signal}): ${this.stderr.slice(-600)}` });
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type: 'case', index: c.index, seed: c.seed } satisfies ToWorker);
    });
  }

  get alive(): boolean {
    return this.child !== undefined;
  }

  stop(): void {
    if (this.child !== undefined) {
      this.child.send({ type: 'exit' } satisfies ToWorker);
      this.child = undefined;
    }
  }
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const o = { cpuLimitMs: 10_000, wallLimitMs: 600_000, memoryLimitBytes: 1 << 30, ...options };
  const script = options.workerScript ?? path.join(__dirname, 'worker.js');
  const hostCacheDir = makeHostCacheDir();
  const counts = Object.fromEntries(OUTCOMES.map((k) => [k, 0])) as Record<Outcome, number>;
  const typedCodes: Record<string, number> = {};
  const kinds: Record<string, { cases: number; accepted: number }> = {};
  const failures: CaseOutcome[] = [];
  const stageMs: Record<string, number> = {};
  let maxCpuMs = 0;
  let maxWallMs = 0;
  let maxPeakRssBytes = 0;
  let seeds: string[] = [];
  let next = 0;
  let done = 0;
  try {
    const slots = Array.from({ length: Math.max(1, o.workers ?? 1) }, () => new Worker(o, hostCacheDir, script));
    seeds = await slots[0].start();
    if (seeds.length === 0) throw new Error(`no seed models of format ${o.format} under ${o.sharedDir}${o.models ? ` named ${o.models.join(', ')}` : ''}`);
    await Promise.all(
      slots.map(async (w) => {
        for (;;) {
          const index = next++;
          if (index >= o.count) break;
          if (!w.alive) await w.start();
          const c = await w.run({ index, seed: o.seed + index });
          done++;
          counts[c.outcome]++;
          maxCpuMs = Math.max(maxCpuMs, c.cpuMs);
          maxWallMs = Math.max(maxWallMs, c.wallMs);
          maxPeakRssBytes = Math.max(maxPeakRssBytes, c.peakRssBytes);
          const r = c.report?.result;
          for (const [stage, ms] of Object.entries(c.report?.stageMs ?? {})) stageMs[stage] = (stageMs[stage] ?? 0) + (ms ?? 0);
          if (c.outcome === 'typed' && r?.kind === 'typed') typedCodes[r.code] = (typedCodes[r.code] ?? 0) + 1;
          for (const kind of c.report?.kinds ?? []) {
            const k = (kinds[kind] ??= { cases: 0, accepted: 0 });
            k.cases++;
            if (r?.kind === 'success' || r?.kind === 'mismatch') k.accepted++;
          }
          if (c.outcome !== 'typed' && c.outcome !== 'success') failures.push(c);
          o.onCase?.(c, done);
        }
        w.stop();
      }),
    );
  } finally {
    fs.rmSync(hostCacheDir, { recursive: true, force: true });
  }
  return { seeds, counts, typedCodes, failures, maxCpuMs, maxWallMs, maxPeakRssBytes, kinds, stageMs, seconds: (performance.now() - started) / 1000 };
}
