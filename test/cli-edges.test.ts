// `cell run`, `cell call` and `cell stats` as separate processes on loopback (issue 12): a peer
// name that does not resolve (finding 7), --host ::1, a void reply, cells' log() lines and the
// counters a running node shows.
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadOrCreateIdentity } from '../host/identity/node-identity.ts';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cellBin, REPO } from '../bench/node-process.ts';
import { kernelWasm } from './fixtures/built.ts';

const run = promisify(execFile);
const cell = (...args: string[]) => run(process.execPath, [cellBin(), ...args], { cwd: REPO, timeout: 60_000 });

test.before(() => {
  kernelWasm(); // fails early, with the build hint, if `npm run build` has not run
});

/** Starts `cell run`; resolves once it prints where it listens, with its stdout and stderr so far and later. */
function startRun(args: string[]): Promise<{ proc: ChildProcess; port: number; err: () => string; out: () => string }> {
  const proc = spawn(process.execPath, [cellBin(), 'run', ...args], { cwd: REPO });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on udp \S+:(\d+)[\s\S]*counters: /.exec(out);
      if (m) resolve({ proc, port: Number(m[1]), err: () => err, out: () => out });
    });
    proc.once('exit', (code) => reject(new Error(`cell run exited with ${code}: ${out}${err}`)));
  });
}

test('issue 12 finding 7: cell run --peer with a name that does not resolve exits 1 with a clear message, no crash', async (t) => {
  const e = await t.throwsAsync(cell('run', 'build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--peer', 'nosuch.invalid:4700'));
  const failed = e as unknown as { code: number; stderr: string };
  t.is(failed.code, 1);
  t.regex(failed.stderr, /^cell: cannot resolve peer "nosuch\.invalid"/);
  t.notRegex(failed.stderr, /Unhandled 'error' event|at .*\.js:\d+/);
});

test('cell run --time-scale outside 1..100 exits 1 with a clear message; a valid one says what it does', async (t) => {
  for (const bad of ['0', '101', 'fast']) {
    const e = await t.throwsAsync(cell('run', 'build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--time-scale', bad));
    const failed = e as unknown as { code: number; stderr: string };
    t.is(failed.code, 1);
    t.is(failed.stderr.trim(), `cell: --time-scale must be a number from 1 to 100, not "${bad}"`);
  }
  const node = await startRun(['build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--board', 'esp32-s3', '--time-scale', '10']);
  try {
    t.regex(node.out(), /node clock: 10x real time \(--time-scale\); its capacity reads as 200000 instructions per node second/);
  } finally {
    node.proc.kill();
  }
});

test('issue 12 finding 10: --host ::1 serves calls; a void reply prints null; cell logs carry the cell name; cell stats shows counters and caps', async (t) => {
  const control = join(await mkdtemp(join(tmpdir(), 'cell-stats-')), 'node.sock');
  const node = await startRun(['build/cells/kv.wasm', 'build/cells/echo.wasm', '--host', '::1', '--port', '0', '--ephemeral', '--control', control]);
  try {
    const peer = `[::1]:${node.port}`;
    const put = await cell('call', 'kv', 'put', '["colour", "blue"]', '--peer', peer);
    t.is(put.stdout, 'null\n', 'a void reply prints null, never undefined');
    t.is((await cell('call', 'kv', 'get', '["colour"]', '--peer', peer)).stdout, '"blue"\n');
    const refused = await t.throwsAsync(cell('call', 'echo', 'refuse', '["not today"]', '--peer', peer));
    t.is((refused as unknown as { code: number }).code, 3);
    const json = JSON.parse((await cell('stats', '--control', control, '--json')).stdout);
    t.is(json.kernel.callsServed, 2);
    t.is(json.kernel.callErrors, 1);
    const udp = json.transports.find((x: { name: string }) => x.name === 'udp');
    t.like(udp, { partialCap: 16, perSenderCap: 2, addresses: { cap: 4096 } });
    t.true(udp.addresses.size >= 1);
    const text = (await cell('stats', '--control', control)).stdout;
    t.regex(text, /udp addresses \(node -> address\)\s+\d+\s+4096\s+0/);
    t.regex(text, /kernel\s+callErrors\s+1/);
    // Three clients handshook and made three calls: their sessions and answers are in the kernel's tables.
    t.like(json.kernelTables, { sessions: { rows: 3, cap: 16 }, replay: { rows: 3, cap: 100 }, peers: { cap: 64 }, calls: { rows: 0, cap: 32 } });
    t.regex(text, /kernel sessions\s+3\s+16\s+0/);
    t.regex(node.err(), /\[echo info\] refusing: not today/);
  } finally {
    node.proc.kill();
  }
  const gone = await t.throwsAsync(cell('stats', '--control', control));
  t.regex((gone as unknown as { stderr: string }).stderr, /cannot read stats/);
});

test('[access] from --config: only a listed key calls, and only its species; --server-key refuses a --peer with another key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cell-access-'));
  const keyFile = join(dir, 'client.key');
  const client = await loadOrCreateIdentity(keyFile);
  const config = join(dir, 'node.toml');
  await writeFile(config, `[access]\nlisted_only = true\nallow = [ { key = "${Buffer.from(client.publicKey).toString('hex')}", species = ["kv"] } ]\n`);
  const node = await startRun(['build/cells/kv.wasm', 'build/cells/echo.wasm', '--port', '0', '--ephemeral', '--no-multicast', '--config', config, '--control', join(dir, 'node.sock')]);
  try {
    const serverKey = /^key ([0-9a-f]{64});.*1 listed \(key, species\) pairs may call/m.exec(node.out())?.[1];
    t.truthy(serverKey, node.out());
    const peer = `127.0.0.1:${node.port}`;
    t.is((await cell('call', 'kv', 'put', '["k", "v"]', '--peer', peer, '--key', keyFile)).stdout, 'null\n');
    const notThatSpecies = await t.throwsAsync(cell('call', 'echo', 'echo', '["x"]', '--peer', peer, '--key', keyFile));
    t.regex((notThatSpecies as unknown as { stderr: string }).stderr, /NOT_AUTHORISED/);
    const stranger = await t.throwsAsync(cell('call', 'kv', 'get', '["k"]', '--peer', peer));
    t.regex((stranger as unknown as { stderr: string }).stderr, /NOT_AUTHORISED/);
    const wrongServer = await t.throwsAsync(cell('call', 'kv', 'get', '["k"]', '--peer', peer, '--key', keyFile, '--server-key', 'c'.repeat(64)));
    t.regex((wrongServer as unknown as { stderr: string }).stderr, new RegExp(`not sent: the node at ${peer} has key ${serverKey}, not one of --server-key`));
    t.is((await cell('call', 'kv', 'get', '["k"]', '--peer', peer, '--key', keyFile, '--server-key', serverKey!)).stdout, '"v"\n');
    // A FILE.pub names the server as well as its hex; a malformed key is refused before anything is sent.
    const pub = join(dir, 'server.pub');
    await writeFile(pub, `${serverKey}\n`);
    t.is((await cell('call', 'kv', 'get', '["k"]', '--peer', peer, '--key', keyFile, '--server-key', pub)).stdout, '"v"\n');
    const badKey = await t.throwsAsync(cell('call', 'kv', 'get', '["k"]', '--peer', peer, '--server-key', 'abc'));
    t.regex((badKey as unknown as { stderr: string }).stderr, /--server-key: "abc" is neither a public key \(64 hex digits\) nor a readable key file/);
    const json = JSON.parse((await cell('stats', '--control', join(dir, 'node.sock'), '--json')).stdout);
    t.is(json.kernel.authUnauthorised, 2);
    t.deepEqual(json.kernelTables.access, { rows: 1, cap: 32, givenUp: 0 });
  } finally {
    node.proc.kill();
  }
});
