import { BETWEEN_LAYERS, edgeFrom, edgeTo, layerSegment, OUTSIDE, TraceParser } from './trace-parser';

/** A log in QEMU 7.2's format: in_asm blocks, exec lines, and the take-back/rewind lines. */
const block = (pc: number, ...lines: string[]) => ['----------------', 'IN: ', ...lines.map((l, k) => `0x${(pc + 2 * k).toString(16).padStart(8, '0')}:  2000       ${l}`), ''];
const exec = (host: string, pc: number) => `Trace 0: ${host} [00800408/${pc.toString(16).padStart(8, '0')}/00000110/ff020200] `;

function executions(log: string[], chunk = 7) {
  const p = new TraceParser();
  const text = log.join('\n') + '\n';
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk)); // lines split across chunks
  return p.finish();
}

describe('TraceParser', () => {
  it('counts executions per block and per edge, taking back executions QEMU stopped before they ran', () => {
    const log = [
      ...block(0x10, 'movs     r0, #1', 'b        #0x20'),
      exec('0x7f00', 0x10),
      ...block(0x20, 'adds     r1, r1, r0', 'bne      #0x20'),
      exec('0x7f80', 0x20),
      exec('0x7f80', 0x20),
      'Stopped execution of TB chain before 0x7f80 [00000020] ',
      exec('0x7f80', 0x20),
    ];
    const p = executions(log);
    expect(p.executions).toBe(3);
    expect(p.stopped).toBe(1);
    const edges = [...p.segments[OUTSIDE]].map(([k, n]) => [edgeFrom(k), edgeTo(k), n]);
    expect(edges).toEqual([[1, 2, 1], [2, 2, 1], [2, 0, 1]]);
  });

  it('counts only the instructions before an I/O access QEMU rewound to', () => {
    const log = [
      ...block(0x10, 'movs     r0, #1', 'ldr      r1, [r0]', 'adds     r1, #1'),
      exec('0x7f00', 0x10),
      'cpu_io_recompile: rewound execution of TB to 00000012',
      ...block(0x12, 'ldr      r1, [r0]'),
      exec('0x7f40', 0x12),
      ...block(0x14, 'adds     r1, #1'),
      exec('0x7f60', 0x14),
    ];
    const p = executions(log, 1000);
    expect(p.ioRewinds).toBe(1);
    const counted = [...p.segments[OUTSIDE]].reduce((s, [k, n]) => s + n * p.blocks[edgeFrom(k) - 1].instructions.length, 0);
    expect(counted).toBe(3);
  });

  it('attributes executions to layers between the hook calls of the invoke function', () => {
    // main at 0x100 calls invoke (0x200); invoke calls the counter (0x300) around one layer body (0x210).
    const hooks = { windowEntry: 0x200, counterEntry: 0x300, callerStart: 0x200, callerEnd: 0x240 };
    const p = new TraceParser(hooks);
    const log = [
      ...block(0x100, 'bl       #0x200'),
      exec('0x1', 0x100),
      ...block(0x200, 'bl       #0x300'),
      exec('0x2', 0x200),
      ...block(0x300, 'bx       lr'),
      exec('0x3', 0x300),
      ...block(0x202, 'adds     r0, #1', 'adds     r0, #1', 'bl       #0x300'),
      exec('0x4', 0x202),
      exec('0x3', 0x300),
      ...block(0x208, 'bx       lr'),
      exec('0x5', 0x208),
      ...block(0x102, 'b        #0x102'),
      exec('0x6', 0x102),
    ];
    p.push(log.join('\n') + '\n');
    const r = p.finish();
    expect(r.windows).toBe(1);
    expect(r.layerCount).toBe(1);
    const instructions = (segment: number) => [...r.segments[segment]].reduce((s, [k, n]) => s + n * r.blocks[edgeFrom(k) - 1].instructions.length, 0);
    expect(instructions(layerSegment(0))).toBe(3); // adds, adds, bl (the END hook's call)
    expect(instructions(BETWEEN_LAYERS)).toBe(4); // bl (BEGIN), bx lr twice, the return
    expect(instructions(OUTSIDE)).toBe(2);
  });

  it('refuses an execution of a block whose instructions were never logged', () => {
    expect(() => executions([exec('0x7f00', 0x10)])).toThrow(/not logged/);
  });
});
