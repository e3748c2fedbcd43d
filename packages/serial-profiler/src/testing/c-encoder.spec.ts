/**
 * The C ends against the shared vector file (tfg_profile.c's records and tfg_link.c's I/O frames byte for byte,
 * the host's input frames read back by tfg_link.c), and the C hooks with a scripted counter, all built with the
 * host gcc under -std=c99 -Wall -Wextra -Werror -Wconversion.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeStream } from '../protocol/decoder';
import { encodeFrame } from '../protocol/frame';
import { COUNTER_KIND, LayerRecord, LinkRecord } from '../protocol/records';
import { compileC, hasTool, PROFILER_C_SOURCES } from './c-build';
import { fromVectorRecord, VectorFile } from './vectors';

const VECTOR_FILE = path.join(__dirname, '../../test-vectors/frames.json');
const HOOKS_HOST = path.join(__dirname, '../../test/host/hooks_host.c');

const available = hasTool('gcc');
if (!available) console.warn('serial-profiler C tests skipped: gcc not found');
const d = available ? describe : describe.skip;

function cBytes(bytes: Uint8Array): string {
  return `{${Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(', ') || '0'}}`;
}

/** A C string literal made only of hex escapes: model names are untrusted text. */
function cString(s: string): string {
  return `"${Array.from(Buffer.from(s, 'utf8'), (b) => `\\x${b.toString(16).padStart(2, '0')}""`).join('')}"`;
}

const le32 = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);

/** The C that makes the board end produce `r` (with sequence number `seq`) on its console, or read it. */
function emitCall(r: LinkRecord, seq: number): string {
  switch (r.type) {
    case 'hello':
      return `tfg_profile_set_seq(${seq}u); tfg_profile_emit_hello((tfg_profile_counter_t)${COUNTER_KIND[r.counter]}, ${r.clockHz}u, ${r.layerCount}u);`;
    case 'layerInfo':
      // A trailing 0 keeps the array non-empty for rank 0.
      return `tfg_profile_set_seq(${seq}u); { static const uint32_t dims[] = {${[...r.outputShape, 0].join('u, ')}u};
      tfg_profile_emit_layer_info(${r.index}u, ${r.opId}u, ${r.macs}ull, dims, ${r.outputShape.length}u, ${cString(r.name)}, ${cString(r.op)}); }`;
    case 'overhead':
      return `tfg_profile_set_seq(${seq}u); tfg_profile_emit_overhead(${r.count}u, ${r.samples}u);`;
    case 'layer':
      return `tfg_profile_set_seq(${seq}u); tfg_profile_emit_layer(${r.run}u, ${r.index}u, ${r.opId}u, ${r.count}u);`;
    case 'inference':
      return `tfg_profile_set_seq(${seq}u); tfg_profile_emit_inference(${r.run}u, ${r.total}u, ${r.layerCount}u);`;
    case 'ready':
      return `tfg_link_set_seq(${seq}u); tfg_link_send_ready(${r.inputBytes}u, ${r.outputBytes}u, ${r.layerCount}u, ${r.arenaBytes}u);`;
    case 'ack': {
      // The board acknowledges an input frame: feed it a whole input of that many bytes.
      const input = encodeFrame({ type: 'input', offset: 0, data: Uint8Array.from({ length: r.expected }, (_, i) => i & 0xff) }, 0);
      return `tfg_link_set_seq(${seq}u); { static const uint8_t in[] = ${cBytes(input)}; static uint8_t buf[${r.expected}];
      feed(in, sizeof in); tfg_link_receive_input(buf, ${r.expected}u); }`;
    }
    case 'output':
      if (r.offset !== 0) throw new Error('output vectors are whole outputs (offset 0)');
      return `tfg_link_set_seq(${seq}u); { static const uint8_t out_data[] = ${cBytes(r.data)}; tfg_link_send_output(out_data, ${r.data.length}u); }`;
    case 'result':
      return `tfg_link_set_seq(${seq}u); tfg_link_send_result(${r.status}u, ${r.run}u, ${r.ticks}u, ${r.stackHighWater}u, ${r.stackSize}u);`;
    case 'input':
      throw new Error('input frames are read, not sent, by the board');
  }
}

function vectorDriver(file: VectorFile): string {
  const cases = file.vectors.map((v, i) => {
    const wire = Buffer.from(v.wire, 'hex');
    const record = fromVectorRecord(v.record);
    if (record.type === 'input') {
      // Host -> board: tfg_link_receive must return exactly this frame's type, sequence number and payload.
      const payload = Buffer.concat([le32(record.offset), record.data]);
      return `  { static const uint8_t in[] = ${cBytes(wire)}; static const uint8_t want[] = ${cBytes(payload)};
    feed(in, sizeof in); tfg_link_receive(&frame);
    failures += check_frame(${i}, 0x41u, ${v.seq}u, want, ${payload.length}u); }`;
    }
    return `  { static const uint8_t want[] = ${cBytes(wire)};
    captured = 0;
    ${emitCall(record, v.seq)}
    failures += check(${i}, want, ${wire.length}u); }`;
  });
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tfg_link.h"
#include "tfg_profile.h"
uint32_t tfg_cycles_read(void) { return 0u; }
static uint8_t out[1024];
static uint32_t captured;
void tfg_console_putc(uint8_t c) { if (captured < sizeof out) out[captured++] = c; }
static const uint8_t *in_at;
static uint32_t in_left;
static void feed(const uint8_t *p, uint32_t n) { in_at = p; in_left = n; }
uint8_t tfg_console_getc(void) {
  if (in_left == 0u) { printf("READ PAST THE INPUT\\n"); exit(2); }
  in_left--;
  return *in_at++;
}
static tfg_link_frame_t frame;
static int check(int index, const uint8_t *want, uint32_t n) {
  if (captured == n && memcmp(out, want, n) == 0) { printf("ok %d\\n", index); return 0; }
  printf("MISMATCH %d: got %u bytes\\n", index, (unsigned)captured);
  return 1;
}
static int check_frame(int index, uint8_t type, uint16_t seq, const uint8_t *want, uint32_t n) {
  if (frame.type == type && frame.seq == seq && frame.length == n && memcmp(frame.payload, want, n) == 0) { printf("ok %d\\n", index); return 0; }
  printf("MISMATCH %d: type %u seq %u length %u\\n", index, (unsigned)frame.type, (unsigned)frame.seq, (unsigned)frame.length);
  return 1;
}
int main(void) {
  int failures = 0;
${cases.join('\n')}
  return failures;
}
`;
}

d('C encoder and hooks (host gcc)', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-profile-c-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('tfg_profile.c and tfg_link.c emit exactly the wire bytes of every shared vector, and read the input ones', () => {
    const file = JSON.parse(fs.readFileSync(VECTOR_FILE, 'utf8')) as VectorFile;
    const driver = path.join(work, 'vectors.c');
    fs.writeFileSync(driver, vectorDriver(file));
    const exe = path.join(work, 'vectors');
    compileC('gcc', [...PROFILER_C_SOURCES, driver], exe);
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(file.vectors.map((_, i) => `ok ${i}`));
    expect(r.status).toBe(0);
  }, 30_000);

  function runHooks(flags: string[]): ReturnType<typeof decodeStream> {
    const exe = path.join(work, `hooks${flags.length}`);
    compileC('gcc', [...PROFILER_C_SOURCES, HOOKS_HOST], exe, flags);
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return decodeStream(Buffer.from(r.stdout.trim(), 'hex'));
  }

  test('hooks: overhead measured and subtracted, counts exact across the 32-bit wrap, text passes through', () => {
    const { frames, text, stats } = runHooks(['-DTINYFORGE_PROFILE']);
    expect(stats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0 });
    expect(text).toEqual(['model ready']);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    const records = frames.map((f) => f.record);
    expect(records.slice(0, 4)).toEqual([
      { type: 'hello', counter: 'systick', clockHz: 25_000_000, layerCount: 3 },
      { type: 'layerInfo', index: 0, opId: 3, macs: 41472, outputShape: [1, 24, 24, 8], name: 'conv2d_1', op: 'Conv2D' },
      { type: 'layerInfo', index: 2, opId: 9, macs: 46080, outputShape: [1, 10], name: 'dense', op: 'FullyConnected' },
      { type: 'overhead', count: 5, samples: 16 },
    ]);
    const layers = records.filter((r): r is LayerRecord => r.type === 'layer');
    expect(layers.map((l) => [l.run, l.index, l.opId, l.count])).toEqual([
      [0, 0, 3, 1000], [0, 1, 7, 0], [0, 2, 9, 70000],
      [1, 0, 3, 1200], [1, 1, 7, 7], [1, 2, 9, 69000],
    ]);
    // Whole inference: the layers' work plus, per layer, two 5-tick reads and 3 ticks of glue.
    expect(records.filter((r) => r.type === 'inference')).toEqual([
      { type: 'inference', run: 0, total: 71000 + 3 * 13, layerCount: 3 },
      { type: 'inference', run: 1, total: 70207 + 3 * 13, layerCount: 3 },
    ]);
  }, 30_000);

  test('without TINYFORGE_PROFILE the hooks compile to nothing (no counts recorded)', () => {
    const { frames } = runHooks([]);
    const counts = frames.flatMap((f) => (f.record.type === 'layer' ? [f.record.count] : []));
    expect(counts).toEqual([0, 0, 0, 0, 0, 0]);
  }, 30_000);
});
