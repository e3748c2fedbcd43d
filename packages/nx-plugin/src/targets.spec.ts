import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNodes } from './create-nodes';
import { firmwareTargets } from './targets';

describe('inferred targets', () => {
  const config = { model: 'model/m.onnx', board: 'qemu-m4', calib: 'calib/data.npy' };

  it('chains build → codegen → quantize and caches exactly the three producing targets', () => {
    const t = firmwareTargets('fw/a', config, 'fw/a/firmware.json');
    expect(t.codegen.dependsOn).toEqual(['quantize']);
    expect(t.build.dependsOn).toEqual(['codegen']);
    expect(t.flash.dependsOn).toEqual(['build']);
    expect([t.quantize, t.codegen, t.build].every((x) => x.cache === true)).toBe(true);
    expect([t.flash, t.run, t.profile].every((x) => x.cache === false)).toBe(true);
    expect(t.quantize.outputs).toEqual(['{workspaceRoot}/dist/fw/a/quantize']);
    expect(t.build.outputs).toEqual(['{workspaceRoot}/dist/fw/a/build']);
    expect(t.build.executor).toBe('@tinyforge/nx-plugin:build');
  });

  it('hashes the model and calibration into quantize, board and packages into codegen, toolchain and sources into build', () => {
    const t = firmwareTargets('fw/a', config, 'fw/a/firmware.json');
    const q = JSON.stringify(t.quantize.inputs);
    expect(q).toContain('{workspaceRoot}/fw/a/model/m.onnx');
    expect(q).toContain('{workspaceRoot}/fw/a/calib/data.npy');
    expect(q).toContain('@tinyforge/quantizer');
    const c = JSON.stringify(t.codegen.inputs);
    expect(c).toContain('board:qemu-m4');
    expect(c).toContain('@tinyforge/codegen-c');
    expect(c).toContain('dependentTasksOutputFiles');
    const b = JSON.stringify(t.build.inputs);
    expect(b).toContain('arm-none-eabi-gcc --version');
    expect(b).toContain('{workspaceRoot}/fw/a/src/main.c');
    expect(b).toContain('@tinyforge/kernels-cmsis');
    // The one firmware builder and the link's C: a change to either rebuilds.
    expect(b).toContain('@tinyforge/cli');
    expect(b).toContain('@tinyforge/serial-profiler');
    expect(b).not.toContain('m.onnx');
  });

  it('uses the workspace board files as inputs when the project has its own boards folder', () => {
    const t = firmwareTargets('fw/a', { ...config, boardsDir: '../../boards' }, 'fw/a/firmware.json');
    const c = JSON.stringify(t.codegen.inputs);
    expect(c).toContain('{workspaceRoot}/boards/qemu-m4/**/*');
    expect(c).toContain('{workspaceRoot}/boards/common/**/*');
    expect(c).not.toContain('board:qemu-m4');
  });

  it('createNodes names bare folders and leaves naming to project.json when there is one', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nxnodes-'));
    try {
      for (const p of ['fw/a', 'fw/b']) fs.mkdirSync(path.join(ws, p), { recursive: true });
      fs.writeFileSync(path.join(ws, 'fw/a/firmware.json'), JSON.stringify({ model: 'm.tflite', board: 'qemu-m4' }));
      fs.writeFileSync(path.join(ws, 'fw/b/firmware.json'), JSON.stringify({ model: 'm.tflite', board: 'qemu-m7' }));
      fs.writeFileSync(path.join(ws, 'fw/b/project.json'), JSON.stringify({ name: 'bee' }));
      const [pattern, fn] = createNodes;
      expect(pattern).toBe('**/firmware.json');
      const results = await fn(['fw/a/firmware.json', 'fw/b/firmware.json'], undefined, { workspaceRoot: ws, nxJsonConfiguration: {} });
      const a = results[0][1].projects?.['fw/a'];
      const b = results[1][1].projects?.['fw/b'];
      expect(a?.name).toBe('a');
      expect(b?.name).toBeUndefined();
      expect(b?.tags).toContain('board:qemu-m7');
      expect(Object.keys(a?.targets ?? {})).toEqual(['quantize', 'codegen', 'build', 'flash', 'run', 'profile']);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
