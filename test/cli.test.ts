// The `cell` command as a user runs it: separate processes, real UDP on loopback, real files.
import test from 'ava';
import { execFile } from 'node:child_process';
import { cellBin, startCell } from '../bench/node-process.ts';
import { promisify } from 'node:util';
import { readFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { kernelWasm } from './fixtures/built.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cell = (...args: string[]) => run(process.execPath, [cellBin(), ...args], { cwd: ROOT, timeout: 120_000 });

test.before(() => {
  kernelWasm(); // fails early, with the build hint, if `npm run build` has not run
});

test('every command has a truthful --help', async (t) => {
  const { stdout } = await cell('--help');
  for (const c of ['build', 'inspect', 'run', 'call', 'sim']) {
    t.regex(stdout, new RegExp(`\\b${c}\\b`));
    const sub = await cell(c, '--help');
    t.regex(sub.stdout, new RegExp(`Usage: cell ${c}`));
  }
});

test('inspect --json reports size, memory, imports, exports and the species id', async (t) => {
  const { stdout } = await cell('inspect', 'build/cells/exchange.wasm', '--json');
  const facts = JSON.parse(stdout);
  t.true(facts.sizeBytes > 0);
  t.deepEqual(facts.memory.initialPages, 1);
  t.deepEqual(facts.memory.maximumPages, 1);
  t.is(facts.memoryBytes, 32768, 'the memory exchange uses of its page: the cell.toml default');
  t.true(facts.imports.every((i: { module: string }) => i.module === 'hal'));
  t.true(facts.exports.some((e: { name: string }) => e.name === 'cell_handle'));
  const schema = JSON.parse(await readFile(join(ROOT, 'build/cells/exchange.schema.json'), 'utf8'));
  t.is(parseInt(facts.speciesId, 16), schema.speciesId);
  t.true(facts.profile.ok);
  const kernel = JSON.parse((await cell('inspect', 'build/kernel.wasm', '--json')).stdout);
  t.is(kernel.kind, 'kernel');
  t.is(kernel.memoryBytes, undefined, 'the kernel declares none: it has its whole page');
  t.true(kernel.sizeBytes <= 32 * 1024);
});

test('inspect explains a file that is not WebAssembly', async (t) => {
  const err = await t.throwsAsync(cell('inspect', 'package.json'));
  t.regex(String((err as { stderr?: string }).stderr), /cell: .*(magic|wasm|WebAssembly)/i);
});

test('build writes the .wasm, the schema and the typed client', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'cell-build-'));
  const { stdout } = await cell('build', 'firmware/cells/echo', '--out', out);
  t.regex(stdout, /echo\s+species 0x[0-9a-f]{8}/);
  t.regex(stdout, /memory 16384 bytes of its 64 KiB page \(at least \d+: \[cell\.limits\] memory\)/);
  t.true((await readFile(join(out, 'echo.wasm'))).length > 0);
  t.regex(await readFile(join(out, 'echo.client.ts'), 'utf8'), /export interface EchoApi/);
});

test('run hosts a cell; call reaches it over UDP and prints the reply', async (t) => {
  // Port 0: the node takes a free port and prints it (no port shared with parallel test files).
  const { proc: server, match } = await startCell(['run', 'build/cells/exchange.wasm', '--port', '0', '--ephemeral', '--no-multicast'], /listening on udp [^\s]+:(\d+)/);
  const port = match[1]!;
  try {
    const peer = `127.0.0.1:${port}`;
    const first = await cell('call', 'exchange', 'place_order', '{"symbol":"BTC","amount":5}', '--peer', peer);
    const second = await cell('call', 'exchange', 'place_order', '["ETH", 7]', '--peer', peer);
    t.is(Number(second.stdout.trim()), Number(first.stdout.trim()) + 1);
    const book = JSON.parse((await cell('call', 'exchange', 'book', '{"symbol":"BTC"}', '--peer', peer)).stdout);
    t.deepEqual(book, [{ id: Number(first.stdout.trim()), symbol: 'BTC', amount: 5 }]);
    const err = await t.throwsAsync(cell('call', 'exchange', 'place_order', '{"symbol":"","amount":5}', '--peer', peer));
    t.regex(String((err as { stderr?: string }).stderr), /CELL_ERROR \(7\)/);
    const bad = await t.throwsAsync(cell('call', 'exchange', 'no_such_method', '{}', '--peer', peer));
    t.regex(String((bad as { stderr?: string }).stderr), /no_such_method/);
  } finally {
    server.kill('SIGTERM');
  }
});

test('call to a node that is not there times out with a clear message', async (t) => {
  const err = await t.throwsAsync(cell('call', 'echo', 'echo', '["x"]', '--peer', '127.0.0.1:9', '--timeout', '300'));
  t.regex(String((err as { stderr?: string }).stderr), /TIMEOUT/);
});

test('sim writes a JSON report with the documented keys', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cell-sim-'));
  const json = join(dir, 'out.json');
  await cell('sim', '--nodes', '40', '--duration', '120', '--seed', '2', '--json', json, '--quiet');
  const r = JSON.parse(await readFile(json, 'utf8'));
  for (const k of ['nodes', 'simSeconds', 'wallSeconds', 'events', 'peakRssBytes']) t.true(k in r, k);
  for (const k of ['medianRelError', 'p90RelError', 'convergenceSeconds']) t.true(k in r.vivaldi, k);
  for (const k of ['source', 'nearestHitRate', 'medianStretch', 'p90Stretch']) t.true(k in r.routing, k);
  t.is(r.nodes, 40);
  const err = await t.throwsAsync(cell('sim', '--nodes', 'many'));
  t.regex(String((err as { stderr?: string }).stderr), /--nodes must be/);
});
