import { createHash } from 'crypto';
import { FlashError } from '../../errors';
import { FlashImage } from '../../image/image';
import { SeededRandom } from '@tinyforge/ir';
import { VirtualClock } from '../../transport/clock';
import { createMemoryPair } from '../../transport/memory-pair';
import { MAX_BLOCK } from './constants';
import { DEFAULT_STM32_TIMEOUTS } from './client';
import { STM32_DEVICES } from './devices';
import { Stm32Emulator, Stm32EmulatorOptions, Stm32Faults } from './emulator';
import { flashStm32 } from './flash-stm32';

/**
 * 200 seeded sessions against the emulator, each with one fault a user meets. Every session must either end with
 * the image verified in flash (and started), or fail with the typed error that fault calls for, with the board
 * not started, within a bounded time.
 *
 * Each session runs on its own VirtualClock: time moves only when host and emulator are both idle with no bytes
 * on the cable, so a timeout means "the device will not answer", never "the machine was busy". The outcome of a
 * seed is therefore the same on an idle laptop and on a CI runner at load 12, and so is its duration, which is
 * measured in that virtual time.
 */
const F4 = STM32_DEVICES.find((d) => d.id === 0x413)!;
// The shipped defaults (stm32flash's): virtual time makes long timeouts free.
const TIMEOUTS = DEFAULT_STM32_TIMEOUTS;
const SESSIONS = 200;
const RETRIES = 3;
/**
 * No hang: the bound follows from the configured timeouts and retry count. A recovery waits for its filler to
 * cross the line, drains the answers until the line is quiet (at most the line time again plus a read timeout),
 * then tries Get up to 4 times (each: a read timeout, plus one for the pairing byte after a NACK). The longest
 * command is an erase of one sector (every image here lies in sector 0, 16 KiB). A session can spend the sync
 * attempts, one command exhausting its attempts, and as much again on an earlier transient fault.
 */
const FILLER_LINE_MS = ((2 * (MAX_BLOCK + 2) * 11) / 115200) * 1000;
const RECOVER_MS = 2 * FILLER_LINE_MS + TIMEOUTS.read + 4 * (2 * TIMEOUTS.read + 5);
const COMMAND_MS = (RETRIES + 1) * (TIMEOUTS.eraseBase + TIMEOUTS.erasePerSector) + RETRIES * RECOVER_MS;
const MAX_SESSION_MS = 4 * TIMEOUTS.sync + 2 * COMMAND_MS;

type Kind = 'clean' | 'nack' | 'dropTx' | 'corruptTx' | 'corruptRx' | 'busy' | 'weakWrite' | 'unplug' | 'stall' | 'silent' | 'readoutProtected' | 'writeProtected' | 'tooLarge' | 'stuckBit';
const KINDS: Kind[] = ['clean', 'nack', 'dropTx', 'corruptTx', 'corruptRx', 'busy', 'weakWrite', 'unplug', 'stall', 'silent', 'readoutProtected', 'writeProtected', 'tooLarge', 'stuckBit'];

interface Plan {
  kind: Kind;
  image: FlashImage;
  emulator: Partial<Stm32EmulatorOptions>;
  expect: 'ok' | string;
}

function planSession(seed: number): Plan {
  const rng = new SeededRandom(seed);
  const kind = rng.pick(KINDS);
  const offset = rng.int(0, 0x3000) & ~3;
  const length = rng.int(1024, 4096);
  const data = Uint8Array.from({ length }, () => rng.int(0, 255));
  const image: FlashImage = { format: 'bin', segments: [{ address: F4.flash.base + offset, data }] };
  const faults: Stm32Faults = {};
  let expect = 'ok';
  const emulator: Partial<Stm32EmulatorOptions> = { faults };
  switch (kind) {
    case 'nack':
      faults.nackCommandAt = rng.int(0, 12);
      break;
    case 'dropTx':
      faults.dropTxAt = rng.int(0, 60);
      break;
    case 'corruptTx':
      faults.corruptTxAt = rng.int(30, 60); // after the connect answers (ids carry no checksum)
      break;
    case 'corruptRx':
      faults.corruptRxAt = rng.int(0, 900);
      break;
    case 'busy':
      faults.busyPerErase = rng.int(1, 20);
      break;
    case 'weakWrite':
      faults.weakWriteAt = rng.int(0, 3);
      break;
    case 'unplug':
      faults.unplugAtRx = rng.int(0, 600);
      expect = 'FLASH_PORT_CLOSED';
      break;
    case 'stall':
      faults.stallAtRx = rng.int(0, 600);
      expect = faults.stallAtRx === 0 ? 'FLASH_NO_SYNC' : 'FLASH_TIMEOUT';
      break;
    case 'silent':
      faults.silent = true;
      expect = 'FLASH_NO_SYNC';
      break;
    case 'readoutProtected':
      emulator.readoutProtected = true;
      expect = 'FLASH_PROTECTED';
      break;
    case 'writeProtected':
      emulator.writeProtectedSectors = [0];
      expect = 'FLASH_PROTECTED';
      break;
    case 'tooLarge':
      image.segments[0] = { address: F4.flash.base + 0x100000 - 512, data: data.subarray(0, 1024) };
      expect = 'FLASH_TOO_LARGE';
      break;
    case 'stuckBit': {
      const i = data.findIndex((v) => (v & 1) !== 0);
      faults.stuckBitAddresses = [F4.flash.base + offset + i];
      expect = 'FLASH_VERIFY';
      break;
    }
  }
  return { kind, image, emulator, expect };
}

interface Outcome {
  seed: number;
  kind: Kind;
  result: string;
  ok: boolean;
  ms: number;
  retries: number;
  problem?: string;
}

function matches(emu: Stm32Emulator, image: FlashImage): boolean {
  const s = image.segments[0];
  const off = s.address - F4.flash.base;
  return off >= 0 && Buffer.compare(Buffer.from(emu.flash.subarray(off, off + s.data.length)), Buffer.from(s.data)) === 0;
}

async function runSession(seed: number): Promise<Outcome> {
  const plan = planSession(seed);
  const clock = new VirtualClock();
  const { host, device } = createMemoryPair({ clock });
  const emu = new Stm32Emulator(device, { productId: 0x413, flash: F4.flash, ram: F4.ram, unplug: () => host.unplug(), ...plan.emulator });
  void emu.start();
  const t0 = clock.now();
  let result = 'ok';
  let retries = 0;
  try {
    const r = await flashStm32(host, plan.image, { timeouts: TIMEOUTS, retries: RETRIES, go: true, verify: seed % 2 ? 'readback' : 'auto' });
    retries = r.retries;
  } catch (e) {
    result = e instanceof FlashError ? e.code : `UNTYPED ${(e as Error).message}`;
    if (process.env.FAULT_SEED) console.log(plan.kind, plan.emulator, (e as Error).message);
  } finally {
    await device.close();
  }
  const ms = clock.now() - t0;
  const problems: string[] = [];
  if (result !== plan.expect) problems.push(`expected ${plan.expect}, got ${result}`);
  if (result === 'ok') {
    if (!matches(emu, plan.image)) problems.push('flash differs from the image');
    if (emu.startedAt !== F4.flash.base) problems.push('image not started');
  } else if (emu.startedAt !== undefined && !matches(emu, plan.image)) problems.push('board started on an unverified image');
  if (ms > MAX_SESSION_MS) problems.push(`took ${ms} ms (virtual), bound ${MAX_SESSION_MS} ms`);
  return { seed, kind: plan.kind, result, ok: problems.length === 0, ms, retries, problem: problems.join('; ') || undefined };
}

describe('fault injection: 200 seeded sessions', () => {
  it('every session succeeds verified or fails with the right typed error, in bounded time', async () => {
    const outcomes: Outcome[] = [];
    // FAULT_SEED=n replays one session with its error message, for debugging.
    const only = Number(process.env.FAULT_SEED);
    if (only) return void console.log(await runSession(only));
    // Sessions are independent (each has its own cable, chip and clock): keep a pool in flight. Outcomes are stored
    // by seed, and no session's timing depends on the others, so the report does not depend on the interleaving.
    const POOL = 20;
    let next = 1;
    const worker = async (): Promise<void> => {
      while (next <= SESSIONS) {
        const seed = next++;
        outcomes[seed - 1] = await runSession(seed);
      }
    };
    await Promise.all(Array.from({ length: POOL }, worker));

    const byKind = new Map<string, { n: number; results: Map<string, number>; maxMs: number; retries: number }>();
    for (const o of outcomes) {
      const k = byKind.get(o.kind) ?? { n: 0, results: new Map(), maxMs: 0, retries: 0 };
      k.n++;
      k.results.set(o.result, (k.results.get(o.result) ?? 0) + 1);
      k.maxMs = Math.max(k.maxMs, o.ms);
      k.retries += o.retries;
      byKind.set(o.kind, k);
    }
    const lines = [...byKind.entries()].map(
      ([kind, k]) => `  ${kind.padEnd(17)} ${String(k.n).padStart(3)}  ${[...k.results.entries()].map(([r, n]) => `${r}×${n}`).join(' ')}  retries ${k.retries}  max ${Math.round(k.maxMs)} ms`,
    );
    const succeeded = outcomes.filter((o) => o.result === 'ok').length;
    const failures = outcomes.filter((o) => !o.ok);
    // Same seeds, same results, same virtual durations: the digest must not change from run to run or machine to machine.
    const digest = createHash('sha256').update(outcomes.map((o) => `${o.seed}:${o.result}:${o.ms}:${o.retries}`).join(',')).digest('hex').slice(0, 16);
    console.log(
      [`fault injection: ${SESSIONS} sessions, ${succeeded} verified and started, ${SESSIONS - succeeded} typed failures, ${failures.length} wrong (durations in virtual time, bound ${Math.round(MAX_SESSION_MS)} ms), outcome digest ${digest}`, ...lines].join('\n'),
    );
    expect(failures.map((f) => `seed ${f.seed} (${f.kind}): ${f.problem}`)).toEqual([]);
    expect(new Set(outcomes.map((o) => o.kind)).size).toBe(KINDS.length);
  }, 120_000);
});
