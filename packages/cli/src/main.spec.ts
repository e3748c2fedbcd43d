import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from '@tinyforge/onnx-proto';
import { cliCapture as cli } from './test-support/cli-capture';
import { InspectResult } from './commands/inspect';

const sharedModels = path.resolve(__dirname, '../../../../shared/models');
const haveShared = fs.existsSync(sharedModels);
if (!haveShared) console.warn(`cli: ${sharedModels} is absent — skipping the tests on the MLPerf Tiny models`);
const withShared = haveShared ? describe : describe.skip;

describe('tinyforge CLI conventions', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['inspect', 'convert', 'quantize', 'codegen', 'flash', 'profile']) expect(r.out).toContain(c);
  });

  it('--boards-dir points every command at another boards folder, for that command only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-boards-'));
    try {
      fs.mkdirSync(path.join(dir, 'my-m4'));
      const shipped = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../boards/boards/qemu-m4/board.json'), 'utf8'));
      fs.writeFileSync(path.join(dir, 'my-m4', 'board.json'), JSON.stringify({ ...shipped, name: 'my-m4' }));
      const mine = await cli('board', 'list', '--boards-dir', dir);
      expect(mine.code).toBe(0);
      expect(mine.out).toMatch(/^my-m4 +virtual +cortex-m4/m);
      expect(mine.out).not.toContain('qemu-m4');
      const before = await cli('--boards-dir', dir, 'board', 'list');
      expect(before.out).toEqual(mine.out);
      const unknown = await cli('board', 'start', 'qemu-m4', '--boards-dir', dir);
      expect(unknown.code).toBe(1);
      expect(unknown.err).toContain(`error[BOARD_UNKNOWN]: unknown board 'qemu-m4' in ${dir}; known boards: my-m4`);
      expect(process.env.TINYFORGE_BOARDS_DIR).toBeUndefined();
      expect((await cli('board', 'list')).out).toContain('qemu-m4');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with one error[USAGE] line', async () => {
    for (const argv of [['inspect'], ['inspekt', 'x'], ['inspect', 'a.tflite', '--bogus']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error\[USAGE\]: /);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('error lines never carry control characters from untrusted names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const hostile = path.join(dir, 'evil\u001b[31m\u202e.tflite');
    const r = await cli('inspect', hostile);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[FORMAT_IO\]: .*evil\?\[31m\?\.tflite/);
    expect(r.err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });

  it('bad input exits 1 with error[CODE] naming the file, and no stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const missing = path.join(dir, 'missing.tflite');
    let r = await cli('inspect', missing);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error[FORMAT_IO]: cannot read ${missing}: no such file or folder\n`);
    const junk = path.join(dir, 'junk.bin');
    fs.writeFileSync(junk, 'not a model at all');
    r = await cli('inspect', junk);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[FORMAT_UNKNOWN\]: .*junk\.bin: /);
    expect(r.err).not.toMatch(/\n\s+at /);
    const truncated = path.join(dir, 'cut.tflite');
    fs.writeFileSync(truncated, Buffer.from([0x10, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0]));
    r = await cli('inspect', truncated, '--verbose');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[FORMAT_(BOUNDS|MALFORMED)\]: .*cut\.tflite/);
    expect(r.err).toMatch(/\n\s+at /); // --verbose adds the stack
  });
});

withShared('tinyforge inspect / convert on the MLPerf Tiny models', () => {
  const vww = path.join(sharedModels, 'vww_mobilenet_int8.tflite');

  it('inspect --json lists 31 operators and the total MACs of VWW int8', async () => {
    const r = await cli('inspect', vww, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as InspectResult;
    expect(j.format).toBe('tflite');
    expect(j.operatorCount).toBe(31);
    expect(j.layers).toHaveLength(31);
    expect(j.opHistogram).toEqual({ Conv2D: 14, DepthwiseConv2D: 13, AveragePool2D: 1, Reshape: 1, FullyConnected: 1, Softmax: 1 });
    expect(j.inputs).toEqual([{ name: expect.any(String), shape: [1, 96, 96, 3], dtype: 'int8', layout: 'NHWC', quantization: { scale: [expect.closeTo(0.00392156886, 9)], zeroPoint: [-128] } }]);
    expect(j.totals.macs).toBe(j.layers.reduce((s, l) => s + l.macs, 0));
    // MLPerf Tiny quotes 7.49 M MACs for VWW.
    expect(j.totals.macs / 1e6).toBeCloseTo(7.49, 1);
  });

  it('inspect prints a table with one row per layer and the totals', async () => {
    const r = await cli('inspect', path.join(sharedModels, 'kws_dscnn_int8.tflite'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/operators: 13 \(/);
    expect(r.out).toMatch(/total: 2\.6\d M MACs/);
    expect(r.out.split('\n').filter((l) => /^\s*\d+\s+[A-Z]/.test(l))).toHaveLength(13);
  });

  it('convert writes a model that reads back to the same operators, atomically', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const out = path.join(dir, 'kws.tflite');
    const r = await cli('convert', path.join(sharedModels, 'kws_dscnn_int8.tflite'), out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'tflite', operators: 13 });
    const back = await cli('inspect', out, '--json');
    expect((JSON.parse(back.out) as InspectResult).operatorCount).toBe(13);
    expect(fs.readdirSync(dir)).toEqual(['kws.tflite']);
  });

  it('run --engine ref writes the gold output bytes and dumps every layer as the gold layers_0 does', async () => {
    const gold = path.resolve(sharedModels, '../gold/kws_dscnn_int8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const out = path.join(dir, 'out.bin');
    const dump = path.join(dir, 'layers');
    const r = await cli('run', path.join(sharedModels, 'kws_dscnn_int8.tflite'), '--input', path.join(gold, 'input_0.bin'), '--output', out, '--dump', dump, '--json');
    expect(r.code).toBe(0);
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(path.join(gold, 'output_0.bin')))).toBe(0);
    const goldLayers = fs.readdirSync(path.join(gold, 'layers_0')).filter((f) => f.endsWith('.bin'));
    expect(goldLayers.length).toBeGreaterThan(10);
    for (const f of goldLayers) expect(Buffer.compare(fs.readFileSync(path.join(dump, f)), fs.readFileSync(path.join(gold, 'layers_0', f)))).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.outputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 12] });
    expect(summary.dumpedTensors).toBe(goldLayers.length + 1); // + the input tensor
    expect(fs.readdirSync(dir).sort()).toEqual(['layers', 'out.bin']);
  });

  it('run --engine host (generated C, host gcc) gives the same bytes and layers as the reference', async () => {
    const gold = path.resolve(sharedModels, '../gold/ic_resnet8_int8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const out = path.join(dir, 'out.bin');
    const r = await cli('run', path.join(sharedModels, 'ic_resnet8_int8.tflite'), '--input', path.join(gold, 'input_0.bin'), '--output', out, '--engine', 'host', '--dump', path.join(dir, 'layers'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.compare(fs.readFileSync(out), fs.readFileSync(path.join(gold, 'output_0.bin')))).toBe(0);
    const goldLayers = fs.readdirSync(path.join(gold, 'layers_0')).filter((f) => f.endsWith('.bin'));
    const differing = goldLayers.filter((f) => !fs.readFileSync(path.join(dir, 'layers', f)).equals(fs.readFileSync(path.join(gold, 'layers_0', f))));
    expect(differing).toEqual([]);
  }, 120000);

  it('run rejects input of the wrong size with a typed error and writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    fs.writeFileSync(path.join(dir, 'in.bin'), Buffer.alloc(7));
    const r = await cli('run', path.join(sharedModels, 'kws_dscnn_int8.tflite'), '--input', path.join(dir, 'in.bin'), '--output', path.join(dir, 'out.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[INTERP_INPUT\]: .*490 bytes.*got 7/);
    expect(fs.readdirSync(dir)).toEqual(['in.bin']);
  });

  it('quantize turns a float model into an int8 model that inspect and run accept; refuses an int8 input', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const out = path.join(dir, 'ad_int8.tflite');
    const report = path.join(dir, 'report.json');
    const r = await cli('quantize', path.join(sharedModels, 'ad_autoencoder_float.tflite'), '--calib', 'random', '--samples', '8', '-o', out, '--report', report, '--json');
    expect(r.code).toBe(0);
    const back = JSON.parse((await cli('inspect', out, '--json')).out) as InspectResult;
    expect(back.inputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 640] });
    expect(back.operatorCount).toBe(10);
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toBeTruthy();
    const bad = await cli('quantize', path.join(sharedModels, 'kws_dscnn_int8.tflite'), '--calib', 'random', '-o', path.join(dir, 'x.tflite'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error\[QUANT_NOT_FLOAT\]: /);
    expect(fs.existsSync(path.join(dir, 'x.tflite'))).toBe(false);
    const missing = await cli('quantize', path.join(sharedModels, 'ad_autoencoder_float.tflite'), '-o', path.join(dir, 'y.tflite'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error\[QUANT_CALIB_MISSING\]: /);
  }, 60000);

  it('quantize --bias-correction reports every corrected layer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const ad = path.join(sharedModels, 'ad_autoencoder_float.tflite');
    const r = await cli('quantize', ad, '--calib', 'random', '--samples', '8', '-o', path.join(dir, 'ad.tflite'), '--bias-correction', '--json');
    expect(r.code).toBe(0);
    const corrections = (JSON.parse(r.out) as { biasCorrections: { node: string; maxChange: number }[] }).biasCorrections;
    expect(corrections).toHaveLength(10);
    expect(corrections.some((c) => c.maxChange > 0)).toBe(true);
    const table = await cli('quantize', ad, '--calib', 'random', '--samples', '8', '-o', path.join(dir, 'ad2.tflite'), '--bias-correction');
    expect(table.out).toMatch(/^bias correction: 10 layers; largest mean shift \d+\.\d{3} LSB/m);
    expect(table.out).toMatch(/warning: measured on calibration samples, which bias correction was fitted to/);
  }, 60000);

  it('quantize --onnx-qdq spells out TFLite rounding unless --qdq-rounding plain; refuses another mode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-cli-'));
    const ad = path.join(sharedModels, 'ad_autoencoder_float.tflite');
    const opTypes = (file: string): string[] => [...new Set((onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node ?? []).map((n) => n.opType!))].sort();
    for (const mode of ['tflite', 'plain']) {
      const r = await cli('quantize', ad, '--calib', 'random', '--samples', '4', '-o', path.join(dir, `${mode}.tflite`), '--onnx-qdq', path.join(dir, `${mode}.onnx`), '--qdq-rounding', mode, '--json');
      expect(r.code).toBe(0);
    }
    expect(opTypes(path.join(dir, 'plain.onnx'))).toEqual(['DequantizeLinear', 'Gemm', 'QuantizeLinear', 'Relu']);
    expect(opTypes(path.join(dir, 'tflite.onnx'))).toEqual(expect.arrayContaining(['Cast', 'Div', 'Round', 'Sign', 'Gemm']));
    const bad = await cli('quantize', ad, '--calib', 'random', '-o', path.join(dir, 'x.tflite'), '--onnx-qdq', path.join(dir, 'x.onnx'), '--qdq-rounding', 'even');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--qdq-rounding must be tflite or plain, got 'even'/);
    expect(fs.existsSync(path.join(dir, 'x.onnx'))).toBe(false);
    // the QDQ export is int8 throughout: a 16-bit classifier head is refused with it, an unknown --head always
    const head = await cli('quantize', ad, '--calib', 'random', '-o', path.join(dir, 'x.tflite'), '--head', 'int4');
    expect(head.code).toBe(2);
    expect(head.err).toMatch(/--head must be auto, int8 or int16, got 'int4'/);
    const wideQdq = await cli('quantize', ad, '--calib', 'random', '--samples', '4', '-o', path.join(dir, 'x.tflite'), '--onnx-qdq', path.join(dir, 'x.onnx'), '--head', 'int16');
    expect(wideQdq.code).toBe(1);
    expect(wideQdq.err).toMatch(/QUANT_UNSUPPORTED.*no 16x8 head: drop --onnx-qdq or --head int16/);
    expect(fs.existsSync(path.join(dir, 'x.onnx'))).toBe(false);
  }, 60000);

  it('the installed bin runs the same command (built dist)', () => {
    const bin = path.resolve(__dirname, '../../tinyforge/bin/tinyforge.js');
    if (!fs.existsSync(path.resolve(__dirname, '../dist/main.js'))) {
      console.warn('cli: dist/ not built — run `npm run build`; skipping the bin test');
      return;
    }
    const out = execFileSync(process.execPath, [bin, 'inspect', vww, '--json'], { encoding: 'utf8' });
    expect((JSON.parse(out) as InspectResult).operatorCount).toBe(31);
    const bad = spawnSync(process.execPath, [bin, 'inspect'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});
