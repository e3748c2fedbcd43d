import * as fs from 'fs';
import * as path from 'path';
import { dbLoadCommands, MlperfReplyReader, mlperfCommand, parseInferReply, parseResults } from './mlperf';

interface Exchange {
  send: string | null;
  reply: string[];
}
const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '../../test-vectors/mlperf.json'), 'utf8')) as { exchanges: Exchange[] };
const sent = (text: string) => vectors.exchanges.find((e) => e.send === text);

describe('MLPerf Tiny runner protocol, host side, against the shared vectors', () => {
  it('spells the commands as the vectors send them', () => {
    expect(dbLoadCommands(Uint8Array.of(1, 2, 3, 0xfe), 2)).toEqual(['db load 4%', 'db 0102%', 'db 03fe%']);
    for (const c of ['db load 4%', 'db 0102%', 'db 03fe%']) expect(sent(c)).toBeDefined();
    expect(mlperfCommand('infer 3 2')).toBe('infer 3 2%');
    expect(sent('infer 3 2%')).toBeDefined();
    expect(() => mlperfCommand('a%b')).toThrow(RangeError);
    // the runner's own chunk: 31 bytes, "db " + 62 hex digits within the device's 80 characters
    expect(dbLoadCommands(new Uint8Array(64)).map((c) => c.length)).toEqual([11, 66, 66, 8]);
  });

  it('splits console text into replies at m-ready, across arbitrary chunk boundaries', () => {
    const reader = new MlperfReplyReader();
    const text = vectors.exchanges.map((e) => e.reply.map((l) => `${l}\r\n`).join('')).join('');
    for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
    for (const e of vectors.exchanges) expect(reader.next()).toEqual(e.reply);
    expect(reader.next()).toBeUndefined();
  });

  it('reads the figures of an infer reply and the results', () => {
    expect(parseInferReply(sent('infer 3 2%')!.reply)).toEqual({ warmups: 2, iterations: 3, lapUs: [2000, 5000], ticks: 3000, results: [1, 2, 3] });
    expect(parseInferReply(sent('infer 1%')!.reply).warmups).toBe(10);
    expect(parseResults(sent('results%')!.reply)).toEqual([1, 2, 3]);
  });

  it('turns device errors and malformed replies into typed errors', () => {
    expect(() => parseInferReply(sent('infer 0%')!.reply)).toThrow(/refused 'infer': e-\[Inference iterations must be >0\]/);
    expect(() => parseInferReply(['m-warmup-start-1', 'm-infer-start-1', 'm-lap-us-1', 'm-results-[1]', 'm-ready'])).toThrow(/1 m-lap-us lines/);
    expect(() => parseResults(['m-results-[1,x]'])).toThrow(/malformed/);
  });
});
