// Test helper: runs ONNX models in onnxruntime-node in a separate process (jest's sandbox gives typed arrays of
// another realm, which onnxruntime's native binding rejects). Reads a JSON job list on stdin and prints outputs
// as JSON: for each job, the outputs in order as { dims, data (base64 little-endian float32) }.
'use strict';
const ort = require('onnxruntime-node');

async function run(job) {
  // A fresh array: Buffer.from may return a view into a shared pool, whose offset the binding does not honour.
  const session = await ort.InferenceSession.create(new Uint8Array(Buffer.from(job.model, 'base64')));
  const feeds = {};
  for (const [name, input] of Object.entries(job.feeds)) {
    const bytes = Buffer.from(input.data, 'base64');
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    feeds[name] = new ort.Tensor('float32', values, input.dims);
  }
  const result = await session.run(feeds);
  return session.outputNames.map((name) => {
    const t = result[name];
    const data = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64');
    return { dims: Array.from(t.dims, Number), data };
  });
}

/** From tests: run jobs (each gives its outputs, or an Error when onnxruntime rejected it) [{ model: Uint8Array, feeds: { name: { dims, data: Float32Array } } }] in a child process. */
function runOrt(jobs) {
  const { execFileSync } = require('child_process');
  const request = jobs.map((job) => ({
    model: Buffer.from(job.model).toString('base64'),
    feeds: Object.fromEntries(
      Object.entries(job.feeds).map(([name, f]) => [name, { dims: f.dims, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('base64') }]),
    ),
  }));
  const stdout = execFileSync(process.execPath, [__filename], { input: JSON.stringify(request), maxBuffer: 1 << 30 });
  return JSON.parse(stdout.toString()).map((outputs) => {
    if (!Array.isArray(outputs)) return new Error(`onnxruntime rejected the model: ${outputs.error}`);
    return outputs.map((o) => {
      const bytes = Buffer.from(o.data, 'base64');
      return { dims: o.dims, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    });
  });
}

module.exports = { runOrt };

if (require.main !== module) return;

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  try {
    const jobs = JSON.parse(input);
    const outputs = [];
    for (const job of jobs) {
      try {
        outputs.push(await run(job));
      } catch (e) {
        outputs.push({ error: String(e && e.message ? e.message : e) });
      }
    }
    process.stdout.write(JSON.stringify(outputs));
  } catch (e) {
    process.stderr.write(String(e && e.stack ? e.stack : e));
    process.exit(1);
  }
});
