import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseFirmwareConfig, readFirmwareConfig, workspacePath } from './config';
import { inferOrSkip } from './create-nodes';
import { NxPluginError } from './errors';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NxPluginError);
    return (e as NxPluginError).code;
  }
  throw new Error('expected an NxPluginError');
}

describe('firmware.json', () => {
  it('accepts a minimal config and keeps optional fields', () => {
    const c = parseFirmwareConfig(JSON.stringify({ model: 'model/m.onnx', board: 'qemu-m4', calib: 'random', calibSamples: 8 }), 'f.json');
    expect(c).toEqual({ model: 'model/m.onnx', board: 'qemu-m4', calib: 'random', calibSamples: 8 });
  });

  it('refuses bad JSON, unknown fields, absolute paths and bad board names with the file and field named', () => {
    expect(codeOf(() => parseFirmwareConfig('{', 'a/firmware.json'))).toBe('NXPLUGIN_CONFIG');
    expect(() => parseFirmwareConfig('{"model":"m.tflite","board":"qemu-m4","extra":1}', 'a/firmware.json')).toThrow(/a\/firmware\.json: \(root\)|extra/);
    expect(() => parseFirmwareConfig('{"model":"/abs/m.tflite","board":"qemu-m4"}', 'f.json')).toThrow(/model: must be relative/);
    expect(() => parseFirmwareConfig('{"model":"m.tflite","board":"../evil"}', 'f.json')).toThrow(/board: a board name/);
    expect(codeOf(() => parseFirmwareConfig('{"model":"m.tflite","board":"qemu-m4","calibSamples":0}', 'f.json'))).toBe('NXPLUGIN_CONFIG');
  });

  it('names every schema problem at once, each at its path', () => {
    const e = (() => {
      try {
        parseFirmwareConfig('{"model":"/abs/m.tflite","board":"Bad Board","calibSamples":-1,"colour":"blue"}', 'fw/x/firmware.json');
      } catch (err) {
        return err as NxPluginError;
      }
      throw new Error('expected an NxPluginError');
    })();
    expect(e.code).toBe('NXPLUGIN_CONFIG');
    expect(e.message).toMatch(/^fw\/x\/firmware\.json: /);
    for (const part of ['model: must be relative', 'board: a board name', 'calibSamples:', 'colour']) expect(e.message).toContain(part);
  });

  it('skips a bad firmware.json with a warning and keeps inferring the others', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxskip-'));
    try {
      fs.mkdirSync(path.join(root, 'good'));
      fs.mkdirSync(path.join(root, 'bad'));
      fs.writeFileSync(path.join(root, 'good', 'firmware.json'), '{"model":"m.tflite","board":"qemu-m4"}');
      fs.writeFileSync(path.join(root, 'bad', 'firmware.json'), '{"model":"/m.tflite","board":"qemu m4"}');
      const warnings: string[] = [];
      const results = ['good/firmware.json', 'bad/firmware.json'].map((f) => inferOrSkip(root, f, (m) => warnings.push(m)));
      expect(Object.keys(results[0].projects ?? {})).toEqual(['good']);
      expect(results[1]).toEqual({});
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('skipped bad/firmware.json');
      expect(warnings[0]).toContain('model: must be relative');
      expect(warnings[0]).toContain('board: a board name');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads from a project folder and reports a missing file as a typed error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxcfg-'));
    try {
      expect(codeOf(() => readFirmwareConfig(dir))).toBe('NXPLUGIN_CONFIG');
      fs.writeFileSync(path.join(dir, 'firmware.json'), '{"model":"m.tflite","board":"qemu-m7"}');
      expect(readFirmwareConfig(dir).board).toBe('qemu-m7');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps project-relative paths to workspace paths and refuses ones leaving the workspace', () => {
    expect(workspacePath('apps/fw', 'model/m.tflite', 'f')).toBe('apps/fw/model/m.tflite');
    expect(workspacePath('apps/fw', '../../models/m.tflite', 'f')).toBe('models/m.tflite');
    expect(codeOf(() => workspacePath('apps/fw', '../../../m.tflite', 'f'))).toBe('NXPLUGIN_PATH');
  });
});
