/**
 * The generated board application (codegen-c generateBoardMain) compiled for the host with a console on
 * stdin/stdout and a stand-in model whose output depends on every input byte in order: the board side of the
 * protocol against the host side (encodeIoFrame, ConsoleSplitter) with garbage, a damaged chunk, a repeated chunk
 * and two inferences — no QEMU needed. Also checks the C is clean under codegen's strict warning flags.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BOARD_IO, generateBoardMain, GENERATED_C_FLAGS } from '@tinyforge/codegen-c';
import { Graph } from '@tinyforge/ir';
import { FrameDecoder } from '@tinyforge/serial-profiler';
import { ConsoleSplitter, encodeIoFrame, IoFrame } from './console-splitter';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
if (!hasGcc) console.warn('board main host test skipped: gcc not found');
const d = hasGcc ? describe : describe.skip;

const IN = 500; // three chunks
const OUT = 300; // two chunks
const graph = {
  name: 'stand_in',
  tensors: [
    { name: 'in', shape: [1, IN], dtype: 'int8' },
    { name: 'out', shape: [1, OUT], dtype: 'int8' },
  ],
  nodes: [],
  inputs: [0],
  outputs: [1],
  metadata: {},
} as unknown as Graph;

const MODEL_H = `#include <stdint.h>
#define MODEL_LAYER_COUNT 3
#define MODEL_ARENA_SIZE 4096
int model_invoke(const int8_t *input0, int8_t *output0);
`;
// out[k] = low byte of (sum (i + 1) * in[i] + k): wrong, missing or reordered input bytes change it.
const BOARD_STUBS = `#include <stdio.h>
#include <stdlib.h>
#include "model.h"
#include "tfg_board.h"
const uint32_t tfg_board_clock_hz = 1000000u;
static uint32_t counter;
uint8_t tfg_console_getc(void) { int c = getchar(); if (c == EOF) { fflush(stdout); exit(0); } return (uint8_t)c; }
void tfg_console_write(const void *data, uint32_t len) { fwrite(data, 1, len, stdout); }
uint32_t tfg_cycles_read(void) { return counter += 7u; }
int model_invoke(const int8_t *input0, int8_t *output0) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < ${IN}u; i++) sum += (i + 1u) * (uint32_t)(uint8_t)input0[i];
  for (uint32_t k = 0; k < ${OUT}u; k++) output0[k] = (int8_t)(uint8_t)(sum + k);
  return 0;
}
`;
const TFG_BOARD_H = `#include <stdint.h>
extern const uint32_t tfg_board_clock_hz;
uint8_t tfg_console_getc(void);
void tfg_console_write(const void *data, uint32_t len);
uint32_t tfg_cycles_read(void);
`;

function expectedOutput(input: Uint8Array): number[] {
  let sum = 0;
  input.forEach((b, i) => (sum = (sum + (i + 1) * b) >>> 0));
  return Array.from({ length: OUT }, (_, k) => (sum + k) & 0xff);
}

function chunkFrame(input: Uint8Array, offset: number, seq: number): Uint8Array {
  const data = input.subarray(offset, offset + BOARD_IO.chunkBytes);
  const payload = new Uint8Array(4 + data.length);
  new DataView(payload.buffer).setUint32(0, offset, true);
  payload.set(data, 4);
  return encodeIoFrame(BOARD_IO.type.input, seq, payload);
}

d('generated board main on the host', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-board-main-'));
  let program: string;
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    fs.writeFileSync(path.join(work, 'model.h'), MODEL_H);
    fs.writeFileSync(path.join(work, 'tfg_board.h'), TFG_BOARD_H);
    fs.writeFileSync(path.join(work, 'stubs.c'), BOARD_STUBS);
    fs.writeFileSync(path.join(work, 'board_main.c'), generateBoardMain(graph, 'model', { counter: 'systick' }));
    program = path.join(work, 'board');
    const r = spawnSync('gcc', [...GENERATED_C_FLAGS, '-O1', `-I${work}`, path.join(work, 'board_main.c'), path.join(work, 'stubs.c'), '-o', program], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
  });

  test('garbage, a damaged chunk and a repeated chunk: both inferences get exactly their inputs', () => {
    const a = Uint8Array.from({ length: IN }, (_, i) => (i * 37 + 11) & 0xff);
    const b = Uint8Array.from({ length: IN }, (_, i) => (i % 5 === 0 ? 0 : 0xf5));
    const damaged = chunkFrame(a, 224, 2);
    damaged[10] ^= 0x01;
    const garbage = Uint8Array.of(0x00, 0xf5, 0x13, 0x37, 0x00, 0x41, 0x42, 0x0a, 0xf5, 0xf5, 0x00);
    const stdin = Buffer.concat([garbage, chunkFrame(a, 0, 1), damaged, chunkFrame(a, 224, 3), chunkFrame(a, 224, 4), chunkFrame(a, 448, 5), chunkFrame(b, 0, 6), chunkFrame(b, 224, 7), chunkFrame(b, 448, 8)].map((x) => Buffer.from(x)));
    const r = spawnSync(program, [], { input: stdin, timeout: 10_000 });
    expect(r.status).toBe(0);
    const frames: IoFrame[] = [];
    const decoder = new FrameDecoder();
    const splitter = new ConsoleSplitter((f) => frames.push(f), (bytes) => decoder.push(bytes));
    splitter.push(new Uint8Array(r.stdout));
    // Without profiling the profiler's decoder sees only the zeros between frames: no frames, no text, no damage.
    expect(decoder.stats).toMatchObject({ frames: 0, corruptFrames: 0, unsupportedFrames: 0, textBytes: 0 });

    const u32 = (p: Uint8Array, at = 0) => new DataView(p.buffer, p.byteOffset).getUint32(at, true);
    const [ready, ...rest] = frames;
    expect(ready.type).toBe(BOARD_IO.type.ready);
    expect([u32(ready.payload, 0), u32(ready.payload, 4), ready.payload[8], u32(ready.payload, 10)]).toEqual([IN, OUT, 3, 4096]);
    const acks = rest.filter((f) => f.type === BOARD_IO.type.ack).map((f) => u32(f.payload));
    // The damaged chunk gets no answer; the repeated one is acknowledged without moving on.
    expect(acks).toEqual([224, 448, 448, 500, 224, 448, 500]);
    const outputs: number[][] = [];
    let current: number[] = [];
    for (const f of rest) {
      if (f.type === BOARD_IO.type.output) current.push(...f.payload.subarray(4));
      if (f.type === BOARD_IO.type.result) {
        expect(u32(f.payload, 0)).toBe(0);
        expect(u32(f.payload, 4)).toBe(outputs.length);
        expect(u32(f.payload, 8)).toBeGreaterThan(0);
        outputs.push(current);
        current = [];
      }
    }
    expect(outputs).toEqual([expectedOutput(a), expectedOutput(b)]);
    // Sequence numbers run on without gaps: the board sent every frame it meant to.
    frames.forEach((f, i) => expect(f.seq).toBe(i));
  });
});
