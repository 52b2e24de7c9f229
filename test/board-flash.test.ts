// Installing modules into a board's store over its serial link (issue #14 scope 3), on the posix
// board with a file as its flash (--store FILE): install, a hash mismatch refused, the store kept
// across a restart, a stored module altered afterwards not run, and the installed echo answering.
import test from 'ava';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { flashModules, planModules, ModuleRejectedError } from '../host/board/flash-modules.ts';
import { builtFile } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';
import { echoOverSerial, echoSchema, serialCaller } from './fixtures/echo-call.ts';
import { encodeCall, decodeReply } from '../host/sdk/call-codec.ts';

const binary = Promise.resolve().then(() => buildPosixBoard());
const BOARD = 0xb0a2d001;
const kernel = builtFile('kernel.wasm');
const echo = builtFile('cells/echo.wasm');
const kv = builtFile('cells/kv.wasm');
const kvSchema = JSON.parse(readFileSync(join('build', 'cells', 'kv.schema.json'), 'utf8')) as { speciesId: number; schema: Parameters<typeof encodeCall>[0] };

async function start(store: string): Promise<{ board: ChildProcessWithoutNullStreams; link: InstallLink; log: () => string }> {
  const board = spawn(await binary, ['--store', store, '--node', String(BOARD)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  board.stderr.on('data', (d: Buffer) => (log += d.toString()));
  board.stdin.on('error', () => {});
  return { board, link: new InstallLink(board.stdout, board.stdin), log: () => log };
}

function stop(b: { board: ChildProcessWithoutNullStreams; link: InstallLink }): void {
  b.link.close();
  b.board.stdin.end();
  b.board.kill();
}

const tmp = () => join(mkdtempSync(join(tmpdir(), 'cell-flash-')), 'store.bin');

test('kernel + echo installed over the link, checked, rebooted into; the echo call is answered over the same line', async (t) => {
  const store = tmp();
  const b = await start(store);
  try {
    const r = await flashModules(b.link, planModules(kernel, [{ name: 'echo', species: echoSchema.speciesId, bytes: echo }]));
    t.is(r.info.node, BOARD);
    t.true(r.info.kernelRunning);
    t.is(r.info.freeRam, null, 'the posix board cannot tell its free RAM');
    t.is(r.modules[1]!.sha256, createHash('sha256').update(echo).digest('hex'));
    // stderr is its own pipe: the reply on stdout may be read before the line logged ahead of it.
    await waitUntil(() => /reboot[\s\S]*ready \(from the store\)/.test(b.log()), 'the board to log its reboot into the stored kernel');
    // An echo call from a peer kernel, framed onto the same line.
    t.deepEqual(await echoOverSerial(b.board.stdout, b.board.stdin, BOARD, 'flashed'), { accepted: 0, delivered: 1 });
  } finally {
    stop(b);
  }
});

test('a module whose SHA-256 differs from the expected one is refused and not listed; the store survives a restart', async (t) => {
  const store = tmp();
  const b = await start(store);
  try {
    const first = await b.link.request({ op: 'info' });
    t.false(first.op === 'info' && first.info!.kernelRunning, 'an empty store: no kernel runs, install frames are answered');
    const wrong = createHash('sha256').update('not the kernel').digest();
    t.is((await b.link.request({ op: 'begin', slot: 0, species: 0, size: 10 })).status, 'ok');
    t.is((await b.link.request({ op: 'chunk', slot: 0, offset: 0, bytes: kernel.subarray(0, 10) })).status, 'ok');
    t.is((await b.link.request({ op: 'chunk', slot: 0, offset: 4, bytes: kernel.subarray(0, 1) })).status, 'badOffset');
    const c = await b.link.request({ op: 'commit', slot: 0, size: 10, sha256: wrong });
    t.is(c.status, 'hashMismatch');
    t.is(c.op === 'commit' && Buffer.from(c.sha256!).toString('hex'), createHash('sha256').update(kernel.subarray(0, 10)).digest('hex'));
    const l = await b.link.request({ op: 'list' });
    t.deepEqual(l.op === 'list' && l.modules, []);
    t.is((await b.link.request({ op: 'begin', slot: 9, species: 0, size: 10 })).status, 'badSlot');
    t.is((await b.link.request({ op: 'begin', slot: 1, species: 0, size: 4 << 20 })).status, 'tooLarge');
    await flashModules(b.link, planModules(kernel, []));
  } finally {
    stop(b);
  }
  const again = await start(store);
  try {
    const l = await again.link.request({ op: 'list' });
    t.deepEqual(l.op === 'list' && l.modules!.map((m) => [m.slot, m.size]), [[0, kernel.length]]);
    const i = await again.link.request({ op: 'info' });
    t.true(i.op === 'info' && i.info!.kernelRunning, 'the restarted board runs the stored kernel');
  } finally {
    stop(again);
  }
  // A byte of the stored kernel changed behind the board's back: it is not run.
  const bytes = readFileSync(store);
  bytes[4096 + 100]! ^= 0x40;
  writeFileSync(store, bytes);
  const third = await start(store);
  try {
    const i = await third.link.request({ op: 'info' });
    t.false(i.op === 'info' && i.info!.kernelRunning);
    await waitUntil(() => /slot 0 not run: its SHA-256 differs/.test(third.log()), 'the board to log why slot 0 is not run');
  } finally {
    stop(third);
  }
});

test('flashModules stops with a clear error when the board refuses a module', async (t) => {
  const store = tmp();
  const b = await start(store);
  try {
    // A cell larger than a slot: refused by the host before sending, naming the sizes.
    const huge = new Uint8Array(300 * 1024);
    await t.throwsAsync(flashModules(b.link, planModules(kernel, [{ name: 'huge', species: 1, bytes: huge }])), { instanceOf: ModuleRejectedError, message: /huge is 307200 bytes; a store slot on this board holds \d+/ });
  } finally {
    stop(b);
  }
});

test('cell flash --board posix --store FILE: the CLI installs kernel + echo and prints the board\'s hashes; boards it cannot flash get a clear error', async (t) => {
  await binary;
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const store = tmp();
  const { stdout } = await run(process.execPath, ['bin/cell.js', 'flash', '--board', 'posix', '--store', store, 'echo', '--json']);
  const r = JSON.parse(stdout) as { node: string; modules: { name: string; sha256: string }[] };
  t.deepEqual(r.modules.map((m) => m.name), ['kernel', 'echo']);
  t.is(r.modules[1]!.sha256, createHash('sha256').update(echo).digest('hex'));
  for (const [args, message] of [
    [['--board', 'esp32-s3'], /esp32-s3: not built here/],
    [['--board', 'nope'], /unknown board "nope"/],
    [['--board', 'posix', '--store', store, 'no-such-cell'], /no cell no-such-cell/],
    [['--board', 'posix'], /needs --store FILE/],
  ] as const) {
    const e = await t.throwsAsync(run(process.execPath, ['bin/cell.js', 'flash', ...args]));
    t.regex((e as Error & { stderr: string }).stderr, message);
  }
});

test('kv installed on the posix board keeps its values in the board\'s cell store: put, then a restart on the same --store file, then get', async (t) => {
  const store = tmp();
  const callers = new Map<unknown, Awaited<ReturnType<typeof serialCaller>>>();
  const call = async (b: Awaited<ReturnType<typeof start>>, method: string, args: unknown[]) => {
    if (!callers.has(b)) callers.set(b, await serialCaller(b.board.stdout, b.board.stdin, BOARD, 0x11223344 + callers.size));
    const a = await callers.get(b)!(kvSchema.speciesId, encodeCall(kvSchema.schema, method, args));
    t.is(a.kind, 'reply', Buffer.from(a.payload).toString());
    return decodeReply(kvSchema.schema, method, a.payload);
  };
  const b = await start(store);
  try {
    await flashModules(b.link, planModules(kernel, [{ name: 'kv', species: kvSchema.speciesId, bytes: kv }]));
    t.is(await call(b, 'put', ['a', '1']), undefined);
    t.is(await call(b, 'put', ['b', 'two']), undefined);
    t.is(await call(b, 'delete', ['b']), true);
    t.is(await call(b, 'get', ['a']), '1');
  } finally {
    stop(b);
  }
  const again = await start(store);
  try {
    t.is(await call(again, 'get', ['a']), '1', 'the value survived the restart');
    t.deepEqual(await call(again, 'keys', []), ['a']);
  } finally {
    stop(again);
  }
});
