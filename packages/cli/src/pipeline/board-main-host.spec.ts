/**
 * The board application (serial-profiler c/tfg_app.c + c/tfg_link.c, configured by codegen's generated
 * tfg_app_model.h) compiled for the host with a console on stdin/stdout and a stand-in model whose output depends
 * on every input byte in order: the board end of the link against the host end (serial-profiler's frames and
 * BoardLink) — garbage, a damaged chunk, a repeated chunk, two inferences, and a profiled build — no QEMU needed.
 * The C is built under codegen's strict warning flags.
 */
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duplex } from 'stream';
import { BOARD_APP_HEADER, generateBoardAppHeader, GENERATED_C_FLAGS } from '@tinyforge/codegen-c';
import { StreamTransport } from '@tinyforge/flasher';
import { Graph } from '@tinyforge/ir';
import { BOARD_C_DIR, BOARD_C_SOURCES, decodeStream, encodeFrame, IO_CHUNK_BYTES, profileLayerTableC } from '@tinyforge/serial-profiler';
import { BoardLink } from './board-link';

const hasGcc = spawnSync('gcc', ['--version']).status === 0;
if (!hasGcc) console.warn('board application host test skipped: gcc not found');
const d = hasGcc ? describe : describe.skip;

// Two inputs and two outputs, each in the stand-in's arena in another order than the model's (so the link must place
// every byte by span); three chunks in, two out (the first gathered across both outputs).
const IN = [300, 200];
const OUTS = [100, 200];
const OUT = OUTS[0] + OUTS[1];
const graph = {
  name: 'stand_in',
  tensors: [
    { name: 'a', shape: [1, IN[0]], dtype: 'int8' },
    { name: 'b', shape: [1, IN[1]], dtype: 'int8' },
    { name: 'y0', shape: [1, OUTS[0]], dtype: 'int8' },
    { name: 'y1', shape: [1, OUTS[1]], dtype: 'int8' },
  ],
  nodes: [],
  inputs: [0, 1],
  outputs: [2, 3],
  metadata: {},
} as unknown as Graph;

const MODEL_H = `#include <stdint.h>
#define MODEL_INPUT_COUNT 2
#define MODEL_INPUT0_SIZE ${IN[0]}
#define MODEL_INPUT1_SIZE ${IN[1]}
#define MODEL_OUTPUT_COUNT 2
#define MODEL_OUTPUT0_SIZE ${OUTS[0]}
#define MODEL_OUTPUT1_SIZE ${OUTS[1]}
#define MODEL_LAYER_COUNT 2
#define MODEL_ARENA_SIZE 4096
int model_invoke(const int8_t *input0, const int8_t *input1, int8_t *output0, int8_t *output1);
void *model_input(int k);
const void *model_output(int k);
int model_run(void);
`;
// out[k] = low byte of (sum (i + 1) * in[i] + k) over both inputs in order (the outputs back to back): wrong, missing
// or reordered bytes change it. The arena holds input 1, input 0, output 1, output 0 in that order. Two "layers" with
// the generated code's hook pattern, so that the profiled build has something to time.
const MODEL_C = `#include <stddef.h>
#include "model.h"
#ifndef TINYFORGE_LAYER_BEGIN
#define TINYFORGE_LAYER_BEGIN(i) ((void)0)
#endif
#ifndef TINYFORGE_LAYER_END
#define TINYFORGE_LAYER_END(i) ((void)0)
#endif
static int8_t arena[MODEL_ARENA_SIZE];
#define IN0 (arena + 256)
#define IN1 (arena + 0)
#define OUT0 (arena + 1024)
#define OUT1 (arena + 768)
void *model_input(int k) { return k == 0 ? (void *)IN0 : k == 1 ? (void *)IN1 : NULL; }
const void *model_output(int k) { return k == 0 ? (const void *)OUT0 : k == 1 ? (const void *)OUT1 : NULL; }
int model_run(void) {
  uint32_t sum = 0;
  TINYFORGE_LAYER_BEGIN(0);
  for (uint32_t i = 0; i < ${IN[0]}u; i++) sum += (i + 1u) * (uint32_t)(uint8_t)IN0[i];
  for (uint32_t i = 0; i < ${IN[1]}u; i++) sum += (i + ${IN[0] + 1}u) * (uint32_t)(uint8_t)IN1[i];
  TINYFORGE_LAYER_END(0);
  TINYFORGE_LAYER_BEGIN(1);
  for (uint32_t k = 0; k < ${OUTS[0]}u; k++) OUT0[k] = (int8_t)(uint8_t)(sum + k);
  for (uint32_t k = 0; k < ${OUTS[1]}u; k++) OUT1[k] = (int8_t)(uint8_t)(sum + ${OUTS[0]}u + k);
  TINYFORGE_LAYER_END(1);
  return 0;
}
int model_invoke(const int8_t *input0, const int8_t *input1, int8_t *output0, int8_t *output1) {
  int status;
  for (uint32_t i = 0; i < ${IN[0]}u; i++) IN0[i] = input0[i];
  for (uint32_t i = 0; i < ${IN[1]}u; i++) IN1[i] = input1[i];
  status = model_run();
  for (uint32_t k = 0; k < ${OUTS[0]}u; k++) output0[k] = OUT0[k];
  for (uint32_t k = 0; k < ${OUTS[1]}u; k++) output1[k] = OUT1[k];
  return status;
}
`;
const BOARD_STUBS = `#include <stdio.h>
#include <stdlib.h>
#include "tfg_board.h"
const uint32_t tfg_board_clock_hz = 1000000u;
static uint32_t counter;
void tfg_console_putc(uint8_t c) { putchar(c); }
uint8_t tfg_console_getc(void) { int c; fflush(stdout); c = getchar(); if (c == EOF) exit(0); return (uint8_t)c; }
uint32_t tfg_cycles_read(void) { return counter += 7u; }
uint32_t tfg_stack_high_water(void) { return 1288u; }
uint32_t tfg_stack_size(void) { return 16384u; }
`;
const TFG_BOARD_H = `#include <stdint.h>
extern const uint32_t tfg_board_clock_hz;
void tfg_console_putc(uint8_t c);
uint8_t tfg_console_getc(void);
uint32_t tfg_cycles_read(void);
uint32_t tfg_stack_high_water(void);
uint32_t tfg_stack_size(void);
`;

function expectedOutput(input: Uint8Array): number[] {
  let sum = 0;
  input.forEach((b, i) => (sum = (sum + (i + 1) * b) >>> 0));
  return Array.from({ length: OUT }, (_, k) => (sum + k) & 0xff);
}

function chunkFrame(input: Uint8Array, offset: number, seq: number): Uint8Array {
  return encodeFrame({ type: 'input', offset, data: input.subarray(offset, offset + IO_CHUNK_BYTES) }, seq);
}

const IN_BYTES = IN[0] + IN[1];

d('the board application on the host', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-board-app-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  function build(name: string, profiled: boolean): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.h'), MODEL_H);
    fs.writeFileSync(path.join(dir, 'model.c'), MODEL_C);
    fs.writeFileSync(path.join(dir, 'tfg_board.h'), TFG_BOARD_H);
    fs.writeFileSync(path.join(dir, 'stubs.c'), BOARD_STUBS);
    fs.writeFileSync(path.join(dir, BOARD_APP_HEADER), generateBoardAppHeader(graph, 'model'));
    const sources = [BOARD_C_SOURCES.app, BOARD_C_SOURCES.link, path.join(dir, 'stubs.c')];
    const flags: string[] = [];
    if (profiled) {
      fs.writeFileSync(path.join(dir, 'layers.c'), profileLayerTableC([{ index: 0, name: 'sum', op: 'Add' }, { index: 1, name: 'spread', op: 'Tile' }], 'tfg_app_profile_layers'));
      sources.push(BOARD_C_SOURCES.profiledModel, BOARD_C_SOURCES.profile, path.join(dir, 'layers.c'));
      flags.push('-DTINYFORGE_PROFILE', '-DTFG_CYCLES_SYSTICK');
    } else {
      sources.push(path.join(dir, 'model.c'));
    }
    const program = path.join(dir, 'board');
    const r = spawnSync('gcc', [...GENERATED_C_FLAGS, '-O1', ...flags, `-I${dir}`, `-I${BOARD_C_DIR}`, ...sources, '-o', program], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
    return program;
  }

  test('garbage, a damaged chunk and a repeated chunk: both inferences get exactly their inputs', () => {
    const program = build('plain', false);
    const a = Uint8Array.from({ length: IN_BYTES }, (_, i) => (i * 37 + 11) & 0xff);
    const b = Uint8Array.from({ length: IN_BYTES }, (_, i) => (i % 5 === 0 ? 0 : 0xf5));
    const damaged = chunkFrame(a, 224, 2);
    damaged[10] ^= 0x01;
    const garbage = Uint8Array.of(0x00, 0xf5, 0x13, 0x37, 0x00, 0x41, 0x42, 0x0a, 0xf5, 0xf5, 0x00);
    const stdin = Buffer.concat([garbage, chunkFrame(a, 0, 1), damaged, chunkFrame(a, 224, 3), chunkFrame(a, 224, 4), chunkFrame(a, 448, 5), chunkFrame(b, 0, 6), chunkFrame(b, 224, 7), chunkFrame(b, 448, 8)]);
    const r = spawnSync(program, [], { input: stdin, timeout: 10_000 });
    expect(r.status).toBe(0);
    // Without profiling the board sends I/O frames only: no profile frames, no text, no damage.
    const { frames, io, text, stats } = decodeStream(new Uint8Array(r.stdout));
    expect([frames, text]).toEqual([[], []]);
    expect(stats).toMatchObject({ corruptFrames: 0, unsupportedFrames: 0, otherFrames: 0, textBytes: 0 });
    const [ready, ...rest] = io.map((f) => f.record);
    // The outputs in the 224-byte chunks of one buffer: the first gathered from both output tensors.
    expect(rest.flatMap((f) => (f.type === 'output' ? [[f.offset, f.data.length]] : []))).toEqual([[0, 224], [224, 76], [0, 224], [224, 76]]);
    expect(ready).toEqual({ type: 'ready', inputBytes: IN_BYTES, outputBytes: OUT, layerCount: 2, arenaBytes: 4096 });
    const acks = rest.flatMap((f) => (f.type === 'ack' ? [f.expected] : []));
    // The damaged chunk gets no answer; the repeated one is acknowledged without moving on.
    expect(acks).toEqual([224, 448, 448, 500, 224, 448, 500]);
    const outputs: number[][] = [];
    let current: number[] = [];
    for (const f of rest) {
      if (f.type === 'output') current.push(...f.data);
      if (f.type === 'result') {
        expect(f).toMatchObject({ status: 0, run: outputs.length, stackHighWater: 1288, stackSize: 16384 });
        expect(f.ticks).toBeGreaterThan(0);
        outputs.push(current);
        current = [];
      }
    }
    expect(outputs).toEqual([expectedOutput(a), expectedOutput(b)]);
    // Sequence numbers run on without gaps: the board sent every frame it meant to.
    io.forEach((f, i) => expect(f.seq).toBe(i));
  });

  (spawnSync('arm-none-eabi-gcc', ['--version']).status === 0 ? test : test.skip)('the same C compiles warning-free for Cortex-M0+ and M4 with the strict flags, profiled or not', () => {
    const dir = path.join(work, 'arm');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.h'), MODEL_H);
    fs.writeFileSync(path.join(dir, 'model.c'), MODEL_C);
    fs.writeFileSync(path.join(dir, BOARD_APP_HEADER), generateBoardAppHeader(graph, 'model'));
    const boardInclude = path.resolve(__dirname, '../../../boards/boards/common/include');
    for (const cpu of [['-mcpu=cortex-m0plus', '-mthumb'], ['-mcpu=cortex-m4', '-mthumb', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard']]) {
      for (const profile of [[], ['-DTINYFORGE_PROFILE', '-DTFG_CYCLES_DWT']]) {
        const sources = [BOARD_C_SOURCES.app, BOARD_C_SOURCES.link, ...(profile.length > 0 ? [BOARD_C_SOURCES.profile, BOARD_C_SOURCES.profiledModel] : [])];
        for (const src of sources) {
          const r = spawnSync('arm-none-eabi-gcc', [...GENERATED_C_FLAGS, '-O2', ...cpu, ...profile, `-I${dir}`, `-I${BOARD_C_DIR}`, `-I${boardInclude}`, '-c', src, '-o', path.join(dir, 'x.o')], { encoding: 'utf8' });
          expect({ src: path.basename(src), cpu, stderr: r.stderr }).toEqual({ src: path.basename(src), cpu, stderr: '' });
        }
      }
    }
  });

  test('BoardLink drives the profiled build: outputs exact, the profile session has both runs and their layers', async () => {
    const program = build('profiled', true);
    const child: ChildProcessWithoutNullStreams = spawn(program, [], { stdio: 'pipe' });
    const transport = new StreamTransport(Duplex.from({ readable: child.stdout, writable: child.stdin }), 'host board');
    const link = new BoardLink(transport, 'host board');
    link.start();
    try {
      expect(await link.waitReady(5000)).toMatchObject({ inputBytes: IN_BYTES, outputBytes: OUT, layerCount: 2 });
      const inputs = [Uint8Array.from({ length: IN_BYTES }, (_, i) => (i * 91) & 0xff), Uint8Array.from({ length: IN_BYTES }, (_, i) => (i % 3 === 0 ? 0 : 0xf5))];
      for (const [k, input] of inputs.entries()) {
        const r = await link.infer(input, OUT, 5000);
        expect(Array.from(r.output)).toEqual(expectedOutput(input));
        expect(r.run).toBe(k);
        expect([r.stackHighWater, r.stackSize]).toEqual([1288, 16384]);
      }
      const session = link.session.finish(link.decoderStats, { countOpenRuns: false });
      expect(session.runs.map((r) => r.layers.length)).toEqual([2, 2]);
      expect(session.layerInfo.map((l) => l.name)).toEqual(['sum', 'spread']);
      expect(session.counter).toBe('systick');
      expect(link.decoderStats).toMatchObject({ corruptFrames: 0, missingFrames: 0, unsupportedFrames: 0 });
      expect(link.decoderStats.ioFrames).toBeGreaterThanOrEqual(1 + 2 * (3 + 2 + 1));
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
      await link.stopped();
    }
  }, 20_000);
});
