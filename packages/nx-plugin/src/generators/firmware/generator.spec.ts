import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readProjectConfiguration, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parseFirmwareConfig } from '../../config';
import { NxPluginError } from '../../errors';
import { firmwareGenerator } from './generator';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NxPluginError);
    return (e as NxPluginError).code;
  }
  throw new Error('expected an NxPluginError');
}

describe('firmware generator', () => {
  let tree: Tree;
  let outside: string;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('models/net.onnx', Buffer.from([1, 2, 3]));
    tree.write('models/calib.npy', Buffer.from([4, 5]));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxgen-'));
  });
  afterEach(() => fs.rmSync(outside, { recursive: true, force: true }));

  it('references a workspace model and calibration file from firmware.json and adds project.json and main.c', async () => {
    await firmwareGenerator(tree, { name: 'demo-fw', board: 'qemu-m4', model: 'models/net.onnx', calib: 'models/calib.npy', calibSamples: 16 });
    const config = parseFirmwareConfig(tree.read('firmware/demo-fw/firmware.json', 'utf-8') ?? '', 'firmware.json');
    expect(config).toEqual({ model: '../../models/net.onnx', board: 'qemu-m4', calib: '../../models/calib.npy', calibSamples: 16 });
    expect(readProjectConfiguration(tree, 'demo-fw').root).toBe('firmware/demo-fw');
    const main = tree.read('firmware/demo-fw/src/main.c', 'utf-8') ?? '';
    expect(main).toContain('#include "tfg_link.h"');
    // The model's own tensors, in place: no input or output buffer of the application's.
    expect(main).toContain('TFG_APP_RUN()');
    expect(main).toContain('tfg_link_receive_input_spans(inputs,');
    expect(main).not.toMatch(/static int8_t (input|output)\[/);
  });

  it('copies a model from outside the workspace into the project, byte for byte', async () => {
    const model = path.join(outside, 'kws.tflite');
    fs.writeFileSync(model, Buffer.from([9, 8, 7, 6]));
    await firmwareGenerator(tree, { name: 'kws', model, calib: 'random', directory: 'apps/kws' });
    const config = parseFirmwareConfig(tree.read('apps/kws/firmware.json', 'utf-8') ?? '', 'firmware.json');
    expect(config.model).toBe('model/kws.tflite');
    expect(config.board).toBe('qemu-m4');
    expect(config.calib).toBe('random');
    expect([...(tree.read('apps/kws/model/kws.tflite') ?? [])]).toEqual([9, 8, 7, 6]);
  });

  it('takes the boards from the workspace folder boardsDir names and records it relative to the project', async () => {
    tree.write('my-boards/my-board/board.json', '{}');
    tree.write('my-boards/common/sections.ld', '');
    await firmwareGenerator(tree, { name: 'mine', board: 'my-board', boardsDir: 'my-boards', model: 'models/net.onnx' });
    const config = parseFirmwareConfig(tree.read('firmware/mine/firmware.json', 'utf-8') ?? '', 'firmware.json');
    expect(config.boardsDir).toBe('../../my-boards');
    expect(config.board).toBe('my-board');
    await expect(firmwareGenerator(tree, { name: 'b', board: 'qemu-m4', boardsDir: 'my-boards', model: 'models/net.onnx' })).rejects.toThrow(/unknown board 'qemu-m4' \(boards: my-board\)/);
    expect(await codeOf(firmwareGenerator(tree, { name: 'c', boardsDir: '../x', model: 'models/net.onnx' }))).toBe('NXPLUGIN_OPTIONS');
  });

  it('refuses bad names, unknown boards, non-model files, missing files and a second project in one folder', async () => {
    expect(await codeOf(firmwareGenerator(tree, { name: 'Bad Name', model: 'models/net.onnx' }))).toBe('NXPLUGIN_OPTIONS');
    await expect(firmwareGenerator(tree, { name: 'a', board: 'no-such-board', model: 'models/net.onnx' })).rejects.toThrow(/unknown board 'no-such-board' \(boards: .*qemu-m4/);
    expect(await codeOf(firmwareGenerator(tree, { name: 'a', model: 'models/calib.npy' }))).toBe('NXPLUGIN_OPTIONS');
    expect(await codeOf(firmwareGenerator(tree, { name: 'a', model: 'models/missing.onnx' }))).toBe('NXPLUGIN_PATH');
    expect(await codeOf(firmwareGenerator(tree, { name: 'a', model: path.join(outside, 'missing.tflite') }))).toBe('NXPLUGIN_PATH');
    expect(await codeOf(firmwareGenerator(tree, { name: 'a', model: 'models/net.onnx', directory: '../elsewhere' }))).toBe('NXPLUGIN_OPTIONS');
    await firmwareGenerator(tree, { name: 'a', model: 'models/net.onnx' });
    expect(await codeOf(firmwareGenerator(tree, { name: 'b', model: 'models/net.onnx', directory: 'firmware/a' }))).toBe('NXPLUGIN_OPTIONS');
  });
});
