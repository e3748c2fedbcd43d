#!/usr/bin/env node
'use strict';
// `node scripts/nx-remote-cache-demo.js`: a second clone of a firmware workspace gets its build outputs from the
// first through Nx's remote cache, here Nx's self-hosted remote-cache protocol (GET/PUT /v1/cache/{hash}, tar
// archives, a bearer token; Nx >= 20.8 speaks it when NX_SELF_HOSTED_REMOTE_CACHE_SERVER is set) served on
// 127.0.0.1 by the small server below. The npm registry has no maintained server package for the protocol, and
// Nx's shared-file-system cache (@nx/shared-fs-cache) is commercially licensed and not for this Nx (23). Any
// server that keeps the protocol (a team's own, in another language) takes its place: only the URL changes.
//
// The clones link this repository's node_modules (the cache is the point here; tools/packaging installs from
// packed tarballs). Prints each clone's task statuses and times, the server's requests, and whether the second
// clone's firmware.elf is byte-identical to the first's. Needs ../shared/models and arm-none-eabi-gcc.
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const model = path.join(root, '..', 'shared', 'models', 'kws_dscnn_int8.tflite');
if (!fs.existsSync(model)) {
  console.error(`needs ${model} (../shared/models)`);
  process.exit(1);
}

/** The protocol's server side: artifacts in memory, one token, no overwrite (409) as the specification says. */
function cacheServer(token) {
  const store = new Map();
  const log = { put: 0, get: 0, hit: 0, bytesIn: 0, bytesOut: 0 };
  const server = http.createServer((req, res) => {
    const m = /^\/v1\/cache\/([A-Za-z0-9]+)$/.exec(req.url ?? '');
    if (!m) return res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${token}`) return res.writeHead(401).end();
    const hash = m[1];
    if (req.method === 'GET') {
      log.get++;
      const body = store.get(hash);
      if (!body) return res.writeHead(404).end();
      log.hit++;
      log.bytesOut += body.length;
      return res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length }).end(body);
    }
    if (req.method === 'PUT') {
      log.put++;
      if (store.has(hash)) return res.writeHead(409).end();
      const parts = [];
      req.on('data', (c) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        store.set(hash, body);
        log.bytesIn += body.length;
        res.writeHead(200).end();
      });
      return undefined;
    }
    return res.writeHead(405).end();
  });
  return { server, log };
}

/** nx in a child process, awaited: the cache server shares this process's event loop, so nothing may block it. */
function nx(cwd, args, env) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
      cwd,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_INTERACTIVE: 'false', CI: 'true', FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const guard = setTimeout(() => child.kill('SIGTERM'), 20 * 60_000); // a hang guard, not a time limit on the figure
    child.on('close', (code) => {
      clearTimeout(guard);
      if (code !== 0) reject(new Error(`nx ${args.join(' ')} failed in ${cwd} (${code}):\n${output}`));
      else resolve({ seconds: (Date.now() - started) / 1000, output });
    });
  });
}

function workspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'firmware-workspace', version: '0.0.0', private: true }, null, 2));
  fs.writeFileSync(path.join(dir, 'nx.json'), JSON.stringify({ plugins: ['@tinyforge/nx-plugin'] }, null, 2));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

/** The clone: every file of the first workspace but its outputs, its Nx cache and node_modules. */
function cloneSources(from, to) {
  fs.cpSync(from, to, { recursive: true, filter: (src) => !/(^|[\\/])(node_modules|dist|\.nx)$/.test(path.relative(from, src)) });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(to, 'node_modules'), 'dir');
}

const statuses = (dir) => JSON.parse(fs.readFileSync(path.join(dir, '.nx/cache/run.json'), 'utf8')).tasks.map((t) => `${t.taskId} ${t.cacheStatus}`);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfg-nx-remote-'));
  const token = crypto.randomBytes(16).toString('hex');
  const { server, log } = cacheServer(token);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${server.address().port}`, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token };
  try {
    const first = path.join(work, 'first');
    workspace(first);
    await nx(first, ['g', '@tinyforge/nx-plugin:firmware', 'demo-fw', '--board=qemu-m4', `--model=${model}`, '--no-interactive'], {});
    const a = await nx(first, ['run-many', '-t', 'build', '--output-style=static'], env);
    console.log(`first clone:  ${a.seconds.toFixed(1)} s; ${statuses(first).join(', ')}`);
    console.log(`server after the first clone: ${log.put} uploads (${log.bytesIn} bytes), ${log.get} lookups`);

    const second = path.join(work, 'second');
    cloneSources(first, second);
    const b = await nx(second, ['run-many', '-t', 'build', '--output-style=static'], env);
    const s = statuses(second);
    console.log(`second clone: ${b.seconds.toFixed(1)} s; ${s.join(', ')}`);
    console.log(`server after the second clone: ${log.hit} of ${log.get} lookups served (${log.bytesOut} bytes)`);
    const elf = (dir) => fs.readFileSync(path.join(dir, 'dist/firmware/demo-fw/build/firmware.elf'));
    const same = elf(first).equals(elf(second));
    console.log(`firmware.elf of the second clone ${same ? 'is byte-identical to' : 'DIFFERS from'} the first's`);
    const allRemote = s.every((line) => line.endsWith('remote-cache-hit'));
    console.log(allRemote && same ? 'result: every task of the second clone came from the remote cache' : 'result: FAILED');
    process.exitCode = allRemote && same ? 0 : 1;
  } finally {
    server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
