// The QEMU board's flash kept in a host file (issue #14: stores that outlive the QEMU process) and
// its entropy from the host, through semihosting (boards/runtime/platform/qemu-mps2-an386/
// flash-file.c, entropy.c). Every byte of the file is the board's input: a garbage, short, torn or
// bit-flipped file must give a logged, counted drop and a board that still answers, never a crash.
// Each boot is a new qemu-system-arm process; each stop is SIGKILL (nothing flushed on the way out).
import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armToolchainMissing, buildQemuImage, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { flashModules, planModules } from '../host/board/flash-modules.ts';
import type { BoardInfo } from '../host/board/install-frames.ts';
import { InstallLink } from '../host/board/install-link.ts';
import { BOARD_CMDLINE_BYTES, openPort, qemuPtyArgs, startQemuPty, type QemuPty } from '../host/board/qemu-pty.ts';
import { prepareQemuStoreFile, QEMU_STORE_FILE_BYTES } from '../host/board/qemu-store-file.ts';
import { decodeReply, encodeCall } from '../host/sdk/call-codec.ts';
import { builtFile } from './fixtures/built.ts';
import { echoOverSerial, echoSchema, serialCaller } from './fixtures/echo-call.ts';

const kvSchema = JSON.parse(readFileSync(join('build', 'cells', 'kv.schema.json'), 'utf8')) as { speciesId: number; schema: Parameters<typeof encodeCall>[0] };
const CELLS_AT = 1024 * 1024; // the cell store's region in the file (flash-file.h)
const DIR = mkdtempSync(join(tmpdir(), 'cell-qemu-store-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));
// A space, a comma and a percent sign in every store path: the board's command line carries them encoded.
const ODD = join(DIR, 'odd dir, 100%');
mkdirSync(ODD);
let n = 0;
const fresh = (): string => join(ODD, `store-${n++}.bin`);

const missing = armToolchainMissing();
const image = missing ? undefined : buildQemuImage({ kernelPath: '', cellPaths: [], ramBytes: 1024 * 1024, serial: { wasm3StackBytes: qemuWasm3StackBytes() }, tag: 'serial-test' });

interface Board { q: QemuPty; link: InstallLink; port: Awaited<ReturnType<typeof openPort>>; log: string[]; exit: Promise<number | null>; peers: number }

// Every QEMU this file starts is killed when it ends, whatever happened.
const running = new Set<QemuPty['child']>();
test.after.always(() => { for (const c of running) c.kill('SIGKILL'); });

async function boot(files: { store?: string; entropy?: string }): Promise<Board> {
  const log: string[] = [];
  const q = await startQemuPty(image!.elf, { ...files, onLog: (l) => log.push(l) });
  running.add(q.child);
  q.child.once('exit', () => running.delete(q.child));
  const exit = new Promise<number | null>((resolve) => q.child.once('exit', (code) => resolve(code)));
  const port = await openPort(q.ptyPath);
  return { q, port, link: new InstallLink(port, port), log, exit, peers: 0 };
}

async function kill(b: Board): Promise<void> {
  b.link.close();
  if (b.port.isOpen) b.port.close();
  b.q.child.kill('SIGKILL');
  await b.exit;
}

/** Waits for the board's "ready" line: start-up (hash checks, the cell store opened) is over. */
async function ready(b: Board): Promise<string[]> {
  for (let i = 0; i < 1000 && !b.log.some((l) => l.startsWith('1 ready:')); i++) await new Promise((r) => setTimeout(r, 20));
  return b.log;
}

async function info(b: Board): Promise<BoardInfo> {
  const r = await b.link.request({ op: 'info' });
  if (r.op !== 'info' || !r.info) throw new Error(`no INFO: ${r.status}`);
  return r.info;
}

async function kv(b: Board, node: number, method: string, args: unknown[]): Promise<unknown> {
  const call = await serialCaller(b.port, b.port, node, 0x11223344 + b.peers++);
  const a = await call(kvSchema.speciesId, encodeCall(kvSchema.schema, method, args));
  if (a.kind !== 'reply') throw new Error(`kv ${method}: ${Buffer.from(a.payload).toString()}`);
  return decodeReply(kvSchema.schema, method, a.payload);
}

const kernel = builtFile('kernel.wasm');
const withKv = planModules(kernel, [{ name: 'kv', species: kvSchema.speciesId, bytes: builtFile('cells/kv.wasm') }]);
const withEcho = planModules(kernel, [{ name: 'echo', species: echoSchema.speciesId, bytes: builtFile('cells/echo.wasm') }]);

/** A store file with kernel + kv flashed and kv holding a = "1", b = "two" (put in two calls); made by the first test that asks. */
let flashedFile: Promise<string> | undefined;
const flashedKv = (): Promise<string> => (flashedFile ??= (async () => {
  const file = fresh();
  prepareQemuStoreFile(file);
  const b = await boot({ store: file });
  try {
    const r = await flashModules(b.link, withKv);
    await kv(b, r.info.node, 'put', ['a', '1']);
    await kv(b, r.info.node, 'put', ['b', 'two']);
  } finally {
    await kill(b);
  }
  return file;
})());

/** The records of the active bank 0 in a store file: [start, end) of each (a record: u32 bodyLength, u32 crc32, body). */
function records(file: Uint8Array): [number, number][] {
  const dv = new DataView(file.buffer, file.byteOffset);
  const out: [number, number][] = [];
  for (let at = CELLS_AT + 16; at + 8 <= CELLS_AT + 128 * 1024;) {
    const len = dv.getUint32(at, true);
    if (len === 0xffffffff) break;
    out.push([at, at + 8 + len]);
    at += 8 + len;
  }
  return out;
}

test.serial('a store file outlives QEMU: kernel and kv flashed, values put, QEMU killed, a new QEMU on the file runs them and kv has the values', async (t) => {
  if (missing) return t.fail(missing);
  const file = await flashedKv();
  t.is(statSync(file).size, QEMU_STORE_FILE_BYTES);
  t.is(records(readFileSync(file)).length, 2, 'two committed calls, two records in the file');
  const b = await boot({ store: file });
  try {
    const i = await info(b);
    t.true(i.kernelRunning, (await ready(b)).join('\n'));
    const listed = await b.link.request({ op: 'list' });
    t.deepEqual(listed.op === 'list' ? listed.modules!.map((m) => [m.slot, m.species, m.size]) : [], withKv.map((m) => [m.slot, m.species, m.bytes.length]));
    t.is(await kv(b, i.node, 'get', ['a']), '1');
    t.is(await kv(b, i.node, 'get', ['b']), 'two');
    t.true(b.log.some((l) => l === `1 store file ${file}: ${QEMU_STORE_FILE_BYTES} bytes loaded`), b.log.join('\n'));
    t.true(b.log.some((l) => /^1 cell store: bank 0, generation 1, \d+ bytes of records$/.test(l)), b.log.join('\n'));
  } finally {
    await kill(b);
  }
});

test.serial('a file of garbage (with directory entries that claim modules): each slot refused by its SHA-256, the cell store formatted, the board answers and takes a new flash that then outlives QEMU', async (t) => {
  if (missing) return t.fail(missing);
  const file = fresh();
  const bytes = new Uint8Array(QEMU_STORE_FILE_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const dv = new DataView(bytes.buffer);
  for (const [slot, size] of [[0, 30000], [1, 5000], [2, 0x7fffffff]] as const) {
    dv.setUint32(slot * 64, 0x31534d43, true); // "CMS1"
    dv.setUint32(slot * 64 + 8, size, true);
  }
  writeFileSync(file, bytes);
  const b = await boot({ store: file });
  try {
    const i = await info(b);
    t.false(i.kernelRunning);
    const log = (await ready(b)).join('\n');
    t.regex(log, /slot 0 not run: its SHA-256 differs from the one committed/);
    t.regex(log, /slot 1 not run: its SHA-256 differs from the one committed/);
    t.notRegex(log, /slot 2 not run/, 'a size larger than a slot is no module at all');
    t.regex(log, /1 cell store: no bank had a valid header: the region was formatted/);
    const r = await flashModules(b.link, withEcho);
    t.true(r.info.kernelRunning);
  } finally {
    await kill(b);
  }
  const again = await boot({ store: file });
  try {
    const i = await info(again);
    t.true(i.kernelRunning, (await ready(again)).join('\n'));
    t.deepEqual(await echoOverSerial(again.port, again.port, i.node, 'after garbage'), { accepted: 0, delivered: 1 });
  } finally {
    await kill(again);
  }
});

test.serial('short files (empty; the first 3000 bytes of a flashed store): the rest reads as zeros, nothing runs, the board answers; a longer file\'s tail is ignored', async (t) => {
  if (missing) return t.fail(missing);
  const flashed = readFileSync(await flashedKv());
  for (const len of [0, 3000]) {
    const file = fresh();
    writeFileSync(file, flashed.subarray(0, len));
    const b = await boot({ store: file });
    try {
      const i = await info(b);
      t.false(i.kernelRunning);
      const log = (await ready(b)).join('\n');
      t.regex(log, new RegExp(`store file .*: ${len} bytes, ${QEMU_STORE_FILE_BYTES} expected: ${len} loaded, the rest reads as zeros`));
      if (len) t.regex(log, /slot 0 not run: its SHA-256 differs/, 'the directory came through, the kernel\'s bytes did not');
      const listed = await b.link.request({ op: 'list' });
      t.is(listed.status, 'ok');
    } finally {
      await kill(b);
    }
  }
  const long = fresh();
  writeFileSync(long, Buffer.concat([flashed, Buffer.alloc(5000, 0x5a)]));
  const b = await boot({ store: long });
  try {
    const i = await info(b);
    t.true(i.kernelRunning);
    t.is(await kv(b, i.node, 'get', ['a']), '1');
    t.regex((await ready(b)).join('\n'), new RegExp(`${QEMU_STORE_FILE_BYTES + 5000} bytes, ${QEMU_STORE_FILE_BYTES} expected: the bytes past ${QEMU_STORE_FILE_BYTES} are ignored`));
  } finally {
    await kill(b);
  }
});

test.serial('a cell store torn or bit-flipped in its last record: that record is cut off (logged, counted), the earlier one read, and new puts are kept across another kill', async (t) => {
  if (missing) return t.fail(missing);
  const flashed = readFileSync(await flashedKv());
  const [first, last] = records(flashed);
  t.truthy(first && last);
  const torn = fresh();
  copyFileSync(await flashedKv(), torn);
  truncateSync(torn, last![0] + 11); // QEMU killed in the middle of writing the record
  const flipped = fresh();
  const f = Buffer.from(flashed);
  f[last![1] - 1]! ^= 0x04; // a bit of its body: the CRC no longer matches
  writeFileSync(flipped, f);
  for (const file of [torn, flipped]) {
    const b = await boot({ store: file });
    try {
      const i = await info(b);
      t.true(i.kernelRunning);
      t.regex((await ready(b)).join('\n'), new RegExp(`2 cell store: records of bank 0 end at byte ${last![0] - CELLS_AT} and what follows is neither a record nor erased: cut off there, the live keys compacted into bank 1 \\(generation 2\\)`));
      t.is(await kv(b, i.node, 'get', ['a']), '1');
      t.is(await kv(b, i.node, 'get', ['b']), null);
      await kv(b, i.node, 'put', ['c', 'three']);
    } finally {
      await kill(b);
    }
    const again = await boot({ store: file });
    try {
      const i = await info(again);
      t.deepEqual(await kv(again, i.node, 'keys', []), ['a', 'c']);
      t.regex((await ready(again)).join('\n'), /1 cell store: bank 1, generation 2, \d+ bytes of records/);
    } finally {
      await kill(again);
    }
  }
});

test.serial('a cell store region of garbage: formatted at start-up, the kernel and kv run, kv starts empty', async (t) => {
  if (missing) return t.fail(missing);
  const file = fresh();
  const f = Buffer.from(readFileSync(await flashedKv()));
  for (let i = CELLS_AT; i < f.length; i++) f[i] = (i * 131 + 7) & 0xff;
  writeFileSync(file, f);
  const b = await boot({ store: file });
  try {
    const i = await info(b);
    t.true(i.kernelRunning);
    t.regex((await ready(b)).join('\n'), /1 cell store: no bank had a valid header: the region was formatted/);
    t.is(await kv(b, i.node, 'get', ['a']), null);
    t.deepEqual(await kv(b, i.node, 'keys', []), []);
  } finally {
    await kill(b);
  }
});

test.serial('a store file that cannot be opened stops the board with the reason (QEMU exits 1), rather than keep a flash in RAM the user asked to keep', async (t) => {
  if (missing) return t.fail(missing);
  const file = join(DIR, 'no-such-dir', 'board.store');
  const log: string[] = [];
  // Not opening its pty: the board may be gone before this process could.
  const q = await startQemuPty(image!.elf, { store: file, onLog: (l) => log.push(l) });
  // 'close': after its stderr has been read to the end (attached in the same turn startQemuPty resolved in).
  const code = await new Promise<number | null>((resolve) => q.child.once('close', resolve));
  t.is(code, 1);
  t.true(log.some((l) => l.startsWith(`3 cannot open the store file ${file}`)), log.join('\n'));
});

test.serial('hal.random is the host\'s entropy: with a known entropy file the node id is its first 32 bits (| 1); a source that gives out or is missing falls back to the timer seed, said in the log', async (t) => {
  if (missing) return t.fail(missing);
  const source = join(DIR, 'entropy.bin');
  const bytes = Buffer.alloc(256);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
  writeFileSync(source, bytes);
  const b = await boot({ entropy: source });
  try {
    const i = await info(b);
    t.is(i.node, (bytes.readUInt32LE(0) | 1) >>> 0);
    t.true((await ready(b)).includes('1 random: the host\'s entropy (semihosting)'), b.log.join('\n'));
    t.true(b.log.includes('1 no store file: the module and cell stores live as long as this QEMU process'), b.log.join('\n'));
  } finally {
    await kill(b);
  }
  const short = join(DIR, 'entropy-short.bin');
  writeFileSync(short, bytes.subarray(0, 10));
  for (const [src, why] of [[short, null], [join(DIR, 'no-such-entropy'), /2 cannot open the entropy source .*no-such-entropy/]] as const) {
    const w = await boot({ entropy: src });
    try {
      const i = await info(w); // its bytes are the first the board sees: the fallback's seed
      t.false(i.kernelRunning);
      const log = (await ready(w)).join('\n');
      t.regex(log, /2 random: not true entropy: xorshift32 seeded from the timer/);
      if (why) t.regex(log, why);
    } finally {
      await kill(w);
    }
  }
});

test('a store path too long for the board\'s command line is refused on the host, naming the limit', (t) => {
  const long = join(DIR, 'x'.repeat(BOARD_CMDLINE_BYTES));
  t.throws(() => qemuPtyArgs('board.elf', { store: long }), { message: /more than the 640 it reads: give a shorter --store path/ });
  t.notThrows(() => qemuPtyArgs('board.elf', { store: join(DIR, 'x'.repeat(BOARD_CMDLINE_BYTES - DIR.length - 40)) }));
});

test.serial('a store path that fills the board\'s command line to its last byte is read whole', async (t) => {
  if (missing) return t.fail(missing);
  // "cell-board store=PATH" and its NUL: exactly BOARD_CMDLINE_BYTES.
  const room = BOARD_CMDLINE_BYTES - 1 - 'cell-board store='.length - DIR.length - '/s.bin'.length;
  let dir = DIR;
  for (let left = room; left > 0;) {
    const part = Math.min(left - 1, 200);
    if (part < 1) { dir += 'y'; break; } // one byte left: no room for another '/'
    dir = join(dir, 'y'.repeat(part));
    left -= part + 1;
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 's.bin');
  t.is(qemuPtyArgs('board.elf', { store: file }).find((a) => a.includes('store='))!.split(',').slice(2).map((a) => a.slice(4)).join(' ').length + 1, BOARD_CMDLINE_BYTES);
  prepareQemuStoreFile(file);
  const b = await boot({ store: file });
  try {
    await info(b);
    t.true((await ready(b)).some((l) => l.startsWith('1 store file ') && l.endsWith(': 1310720 bytes loaded')), b.log.join('\n'));
  } finally {
    await kill(b);
  }
});
