import * as fs from 'fs';
import * as path from 'path';
import { CampaignResult, OUTCOMES, runCampaign } from './campaign';

/**
 * `npm run fuzz -- --format tflite|onnx [--count N] [--seed S] [--model NAME]... [--workers W] [--cpu-limit-ms MS]
 * [--wall-limit-ms MS] [--memory-limit-mb MB] [--json FILE] [--shared DIR] [--no-host]`: a structure-aware fuzz campaign over the shared
 * models. Case i mutates a seed model chosen by seeds.ts seedSchedule with seed S + i: a failure replays with
 * `--model NAME --seed SEED --count 1`. Exit status 1 when any case is a mismatch, an internal error, a crash, over
 * time or over memory.
 */
export async function fuzzMain(argv: string[], root: string): Promise<number> {
  const usage = (message: string): number => {
    console.error(`error[USAGE]: ${message}`);
    console.error('usage: npm run fuzz -- --format tflite|onnx [--count N] [--seed S] [--model NAME]... [--workers W] [--cpu-limit-ms MS] [--wall-limit-ms MS] [--memory-limit-mb MB] [--json FILE] [--no-host]');
    return 2;
  };
  const o = { format: '', count: 1000, seed: Date.now() % 1e9, models: [] as string[], workers: 1, cpuLimitMs: 10_000, wallLimitMs: 600_000, memoryMb: 1024, json: '', shared: path.resolve(root, '..', 'shared'), noHost: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (key === '--no-host') {
      o.noHost = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) return usage(`${key} needs a value`);
    const int = (): number => {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${key} must be a non-negative integer`);
      return n;
    };
    try {
      if (key === '--format') o.format = value;
      else if (key === '--count') o.count = int();
      else if (key === '--seed') o.seed = int();
      else if (key === '--model') o.models.push(value);
      else if (key === '--workers') o.workers = Math.max(1, int());
      else if (key === '--cpu-limit-ms') o.cpuLimitMs = int();
      else if (key === '--wall-limit-ms') o.wallLimitMs = int();
      else if (key === '--memory-limit-mb') o.memoryMb = int();
      else if (key === '--json') o.json = value;
      else if (key === '--shared' || key === '--models') o.shared = path.resolve(value);
      else return usage(`unknown option ${key}`);
    } catch (e) {
      return usage((e as Error).message);
    }
  }
  if (o.format !== 'tflite' && o.format !== 'onnx') return usage('--format must be tflite or onnx');
  if (!fs.existsSync(o.shared)) {
    console.error(`error[FUZZ_NO_MODELS]: no shared model folder at ${o.shared}`);
    return 1;
  }
  console.log(`fuzzing the pipeline (read, validate, quantize, codegen, ref vs host): ${o.count} ${o.format} mutants, seeds ${o.seed}..${o.seed + o.count - 1}, ${o.workers} worker(s), bounds ${o.cpuLimitMs} ms CPU and ${o.memoryMb} MiB per mutant (hang guard ${o.wallLimitMs} ms wall)`);
  const step = Math.max(1, Math.floor(o.count / 20));
  // Running counts on every progress line: a long campaign stopped early still reports what it measured.
  const tally = Object.fromEntries(OUTCOMES.map((k) => [k, 0])) as Record<string, number>;
  const result = await runCampaign({
    format: o.format,
    sharedDir: o.shared,
    count: o.count,
    seed: o.seed,
    models: o.models.length > 0 ? o.models : undefined,
    workers: o.workers,
    cpuLimitMs: o.cpuLimitMs,
    wallLimitMs: o.wallLimitMs,
    memoryLimitBytes: o.memoryMb * 1024 * 1024,
    noHost: o.noHost,
    onCase: (c, done) => {
      if (c.outcome !== 'typed' && c.outcome !== 'success') console.log(`FAIL ${c.outcome} ${c.model} seed=${c.seed} [${c.report?.kinds.join(',') ?? '?'}] ${describe(c)}`);
      tally[c.outcome]++;
      if (done % step === 0) console.log(`  ${done}/${o.count} … ${OUTCOMES.map((k) => `${k} ${tally[k]}`).join(', ')}`);
    },
  });
  printResult(result);
  if (o.json !== '') fs.writeFileSync(o.json, JSON.stringify(result, null, 1));
  const bad = result.counts.mismatch + result.counts.internal + result.counts.crash + result.counts['over-time'] + result.counts['over-memory'];
  for (const f of result.failures.slice(0, 10)) console.log(`replay: npm run fuzz -- --format ${o.format} --model '${f.model}' --seed ${f.seed} --count 1`);
  return bad > 0 ? 1 : 0;
}

function describe(c: { report?: { description: string; result: { kind: string } & Record<string, unknown> }; detail?: string; cpuMs: number; peakRssBytes: number }): string {
  const r = c.report?.result;
  const what = r === undefined ? c.detail : r.kind === 'internal' ? `${String(r.stage)}: ${String(r.message)}` : r.kind === 'mismatch' ? `${String(r.differing)} of ${String(r.outputBytes)} output bytes differ` : JSON.stringify(r).slice(0, 200);
  return `${c.report?.description.slice(0, 160) ?? ''} => ${what} (${c.cpuMs} ms CPU, ${Math.round(c.peakRssBytes / 2 ** 20)} MiB)`;
}

export function printResult(r: CampaignResult): void {
  console.log(`seeds (${r.seeds.length}): ${r.seeds.join(', ')}`);
  const kinds = Object.entries(r.kinds).sort((a, b) => a[0].localeCompare(b[0]));
  console.log(`mutation kinds used (${kinds.length}): ${kinds.map(([k, v]) => `${k} ${v.cases}/${v.accepted}`).join(', ')}  (cases/reached both engines)`);
  console.log(`typed errors by code: ${JSON.stringify(r.typedCodes)}`);
  console.log(`outcomes: ${OUTCOMES.map((k) => `${k} ${r.counts[k]}`).join(', ')}`);
  console.log(`time by stage (s, wall in the workers): ${Object.entries(r.stageMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  console.log(`slowest case ${(r.maxCpuMs / 1000).toFixed(2)} s CPU, ${(r.maxWallMs / 1000).toFixed(2)} s wall; largest peak ${Math.round(r.maxPeakRssBytes / 2 ** 20)} MiB; ${r.seconds.toFixed(0)} s in all`);
}
