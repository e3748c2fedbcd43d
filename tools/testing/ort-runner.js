// Test tool shared by the packages' suites: runs ONNX models in onnxruntime-node in a child process (under jest,
// typed arrays come from another realm, which the native binding rejects). Jobs and results travel as JSON with
// base64 tensor bytes. onnxruntime-node is a dev dependency: no package's runtime code loads it.
'use strict';
const ARRAYS = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array };

async function runJob(ort, job) {
  // A fresh copy: a Buffer may be a view into a shared pool, whose offset the binding does not honour.
  const session = await ort.InferenceSession.create(new Uint8Array(Buffer.from(job.model, 'base64')), job.sessionOptions ?? {});
  const feeds = {};
  job.feeds.forEach((f, i) => {
    const bytes = Buffer.from(f.data, 'base64');
    const Arr = ARRAYS[f.dtype];
    const values = new Arr(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    feeds[f.name ?? session.inputNames[i]] = new ort.Tensor(f.dtype, values, f.dims);
  });
  const result = await session.run(feeds);
  return session.outputNames.map((name) => {
    const t = result[name];
    return { dtype: t.type, dims: Array.from(t.dims, Number), data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
  });
}

/**
 * From tests: jobs [{ model: Uint8Array, feeds: [{ name?, dtype, dims, data: TypedArray }], sessionOptions? }] (feeds
 * by name, or in the model's input order; sessionOptions as onnxruntime's InferenceSession.create takes them) → per
 * job the outputs [{ dtype, dims, data: TypedArray }], or an Error when onnxruntime refused the job.
 */
function runOrtJobs(jobs) {
  const { execFileSync } = require('child_process');
  const request = jobs.map((job) => ({
    model: Buffer.from(job.model).toString('base64'),
    feeds: job.feeds.map((f) => ({ name: f.name, dtype: f.dtype, dims: f.dims, data: Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength).toString('base64') })),
    sessionOptions: job.sessionOptions,
  }));
  const stdout = execFileSync(process.execPath, [__filename], { input: JSON.stringify(request), maxBuffer: 1 << 30 });
  return JSON.parse(stdout.toString()).map((outputs) => {
    if (!Array.isArray(outputs)) return new Error(`onnxruntime refused the model: ${outputs.error}`);
    return outputs.map((o) => {
      const bytes = Buffer.from(o.data, 'base64');
      return { dtype: o.dtype, dims: o.dims, data: new ARRAYS[o.dtype](bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    });
  });
}

/** Float32 feeds by name: jobs [{ model, feeds: { name: { dims, data: Float32Array } } }] → outputs or Error. */
function runOrt(jobs) {
  return runOrtJobs(
    jobs.map((job) => ({
      model: job.model,
      feeds: Object.entries(job.feeds).map(([name, f]) => ({ name, dtype: 'float32', dims: f.dims, data: f.data })),
    })),
  );
}

module.exports = { runOrt, runOrtJobs };

if (require.main === module) {
  const ort = require('onnxruntime-node');
  let input = '';
  process.stdin.on('data', (chunk) => (input += chunk));
  process.stdin.on('end', async () => {
    const results = [];
    for (const job of JSON.parse(input)) {
      try {
        results.push(await runJob(ort, job));
      } catch (e) {
        results.push({ error: String(e && e.message ? e.message : e) });
      }
    }
    process.stdout.write(JSON.stringify(results));
  });
}
