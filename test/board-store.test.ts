// The cell store on a board (boards/runtime/core/cell-store.c, issue #14 scope 1): the posix board
// answers store sessions byte for byte as V8 does with the host's store (host/store/cell-store.ts):
// limits and return codes, outCap, byte order, staged writes seen by their own call, writes of a
// call that ends in ERROR or a trap dropped, a full store (1024 keys) refusing with -3, state kept
// across a restart on the same --store file, and a torn or corrupt log cut at its last good record.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { buildPosixBoard } from '../host/board/build-runtime.ts';
import { runPosixBoard, runQemuBoard, type BoardStep } from '../host/board/board-script.ts';
import { armToolchainMissing, buildQemuImage, qemuArgs, qemuWasm3StackBytes } from '../host/board/build-qemu.ts';
import { CellStore } from '../host/store/cell-store.ts';
import { encodeRecord, type StoreOp } from '../host/store/store-log.ts';
import { encodeCall, decodeReply } from '../host/sdk/call-codec.ts';
import { REPO_ROOT } from '../host/build/paths.ts';
import { builtFile } from './fixtures/built.ts';
import { builtFixtureCell } from './fixtures/fixture-cells.ts';
import { FUEL, SEED } from './fixtures/board-session.ts';
import { kvSchema, ops, program, recordStoreSession, type Answer, type StoreSessionCell } from './fixtures/board-store-session.ts';

const DIR = mkdtempSync(join(tmpdir(), 'board-store-test-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));
const binary = Promise.resolve().then(() => buildPosixBoard());
const storeOps = builtFixtureCell('store-ops').then((w) => {
  const path = join(DIR, 'store-ops.wasm');
  writeFileSync(path, w);
  return path;
});
const KV = join(REPO_ROOT, 'build', 'cells', 'kv.wasm');
const S = 7; // species of store-ops in these sessions
const K = 9; // species of kv
const kernelPath = join(REPO_ROOT, 'build', 'kernel.wasm');
builtFile('kernel.wasm');

/** The store-ops reply as the i32 results and bytes it carries, read by the same program. */
function i32s(a: Answer | undefined): number[] {
  if (!a || a.kind !== 'reply') throw new Error(`not a reply: ${a?.kind} ${a && Buffer.from(a.payload).toString()}`);
  const b = Buffer.from(a.payload);
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readInt32LE(i));
  return out;
}
const text = (a: Answer | undefined) => Buffer.from(a!.payload).toString('latin1');

async function sameOnBoard(t: import('ava').ExecutionContext, cells: StoreSessionCell[], rec: { steps: BoardStep[]; transcript: string[] }, storePath?: string): Promise<void> {
  const lines = await runPosixBoardCells(cells, rec.steps, storePath);
  const firstDiff = rec.transcript.findIndex((line, i) => lines[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${rec.transcript[firstDiff]} / board ${lines[firstDiff]}`);
  t.is(lines.length, rec.transcript.length);
}

async function runPosixBoardCells(cells: StoreSessionCell[], steps: BoardStep[], storePath?: string): Promise<string[]> {
  return runPosixBoard(await binary, { kernelPath, cellPaths: cells.map((c) => c.path), seed: SEED, fuelPerCall: FUEL, storePath }, steps);
}

/** The main store session: store-ops in slot 0 (species S) and kv in slot 1 (species K). */
async function mainSession() {
  const cells: StoreSessionCell[] = [{ path: await storeOps, species: S }, { path: KV, species: K }];
  const big = new Uint8Array(65).fill(0x6b);
  const kv = (method: string, ...args: unknown[]): [number, Uint8Array] => [K, encodeCall(kvSchema, method, args)];
  const calls: Array<[number, Uint8Array]> = [
    /* 0 */ [S, program(ops.put('a', 3), ops.get('a', 8), ops.next('', 8))],
    /* 1 */ [S, program(ops.get('a', 8), ops.get('a', 2), ops.get('zz'))],
    /* 2 */ [S, program(ops.put('', 1), ops.put(big, 1), ops.put('big', 1025), ops.put('big', 1024), ops.get('big', 8))],
    /* 3 */ [S, program(ops.put(new Uint8Array([0]), 1), ops.put(new Uint8Array([0xff]), 1), ops.put(new Uint8Array([0x61, 0]), 1), ops.put('b', 1))],
    /* 4 */ [S, program(ops.next(''), ops.next(new Uint8Array([0])), ops.next('a'), ops.next(new Uint8Array([0x61, 0])), ops.next('b'), ops.next('big'), ops.next(new Uint8Array([0xff])))],
    /* 5 */ [S, program(ops.put('gone', 2), ops.error())],
    /* 6 */ [S, program(ops.get('gone'), ops.put('gone', 2), ops.trap())],
    /* 7 */ [S, program(ops.get('gone'))],
    /* 8 */ [S, program(ops.badKey())],
    /* 9 */ [S, program(ops.badOut('absent'))],
    /* 10 */ [S, program(ops.badOut('a'))],
    /* 11 */ [S, program(ops.del('a'), ops.get('a'), ops.del('a'), ops.put('a', 1), ops.del('a'), ops.next('', 8))],
    /* 12 */ [S, program(ops.get('a'))],
    /* 13 */ kv('put', 'a', '1'), /* 14 */ kv('get', 'a'), /* 15 */ kv('put', 'b', '2'), /* 16 */ kv('keys'),
    /* 17 */ kv('delete', 'a'), /* 18 */ kv('get', 'a'), /* 19 */ kv('size'),
    /* 20..26 */ ...Array.from({ length: 7 }, (_, i): [number, Uint8Array] => [S, program(ops.fill(150, i * 150))]),
    /* 27 */ [S, program(ops.put('b', 1), ops.put('new', 1), ops.del('b'), ops.put('new', 1), ops.get('new'))],
    /* 28 */ [S, program(ops.put('b', 1), ops.get('b'), ops.next('', 8))],
  ];
  return { cells, rec: await recordStoreSession(cells.map((c) => ({ ...c })), calls) };
}
const main = mainSession();

test('store calls through the kernel: sizes, outCap, byte order, staging, ERROR and trap drop, 1024 keys then -3; the board answers byte for byte as V8', async (t) => {
  const { cells, rec } = await main;
  const a = rec.answers;
  // What V8 (the host's store) answered: the cases the session covers.
  t.is(Buffer.from(a[0]!.payload).toString('hex'), '00000000' + '03000000414243' + '0100000061', 'a put is seen by its own call: get (3 bytes ABC), next (1 byte "a")');
  t.is(Buffer.from(a[1]!.payload).toString('hex'), '03000000414243' + '03000000' + 'ffffffff', 'committed; get with outCap 2 returns 3 and copies nothing; an absent key is -1');
  t.deepEqual(i32s(a[2]), [-1, -1, -2, 0, 1024], 'key 0 or 65 bytes: -1; value 1025: -2; 1024 fits; get returns 1024 past an 8-byte outCap');
  const chain = (...keys: number[][]) => Buffer.concat([...keys.map((k) => { const b = Buffer.alloc(4 + k.length); b.writeInt32LE(k.length); b.set(k, 4); return b; }), Buffer.from([0xff, 0xff, 0xff, 0xff])]).toString('hex');
  t.is(Buffer.from(a[4]!.payload).toString('hex'), chain([0], [0x61], [0x61, 0], [0x62], [0x62, 0x69, 0x67], [0xff]), 'store_next walks the keys in byte order, then -1');
  t.regex(text(a[5]), /e/, 'the ERROR payload');
  t.is(a[5]!.kind, 'error');
  t.is(a[6]!.kind, 'error');
  t.deepEqual(i32s(a[7]), [-1], 'writes of a call that ended in ERROR or a trap were dropped');
  t.regex(text(a[8]), /trap: hal\.store_get range 4294967280\+32 is outside the cell's 65536-byte memory/);
  t.deepEqual(i32s(a[9]), [-1], 'an absent key never touches the output buffer');
  t.regex(text(a[10]), /trap: hal\.store_get range 4294967040\+64 is outside/);
  t.deepEqual(i32s(a[12]), [-1]);
  t.deepEqual(decodeReply(kvSchema, 'get', a[14]!.payload), '1');
  t.deepEqual(decodeReply(kvSchema, 'keys', a[16]!.payload), ['a', 'b']);
  t.deepEqual(decodeReply(kvSchema, 'get', a[18]!.payload), null);
  t.deepEqual(decodeReply(kvSchema, 'size', a[19]!.payload), 1);
  const filled = a.slice(20, 27).map((x) => Buffer.from(x!.payload)).map((b) => [b.readUInt16LE(0), b.readInt32LE(2)]);
  t.deepEqual(filled, [[150, 0], [150, 0], [150, 0], [150, 0], [150, 0], [150, 0], [119, -3]], '5 keys + 1019 filled = 1024; then "store full"');
  t.deepEqual(i32s(a[27]).slice(0, 5), [0, -3, 1, 0, 1], 'full: an existing key can be rewritten, a new one refused until one is deleted');
  await sameOnBoard(t, cells, rec);
});

/** The store-ops `l` reply as [key hex, value hex] pairs. */
function listed(a: Answer | undefined): Array<[string, string]> {
  if (!a || a.kind !== 'reply') throw new Error(`not a reply: ${a?.kind}`);
  const b = Buffer.from(a.payload);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < b.length;) {
    const kl = b[i]!;
    const key = b.subarray(i + 1, i + 1 + kl).toString('hex');
    const vl = b.readUInt16LE(i + 1 + kl);
    out.push([key, b.subarray(i + 3 + kl, i + 3 + kl + vl).toString('hex')]);
    i += 3 + kl + vl;
  }
  return out;
}

test('the same store session on the QEMU board (store-ops and kv linked into flash, the cell store in its flash region), byte for byte as V8', async (t) => {
  const missing = armToolchainMissing();
  if (missing) return t.fail(missing);
  const { cells, rec } = await main;
  const image = buildQemuImage({ kernelPath, cellPaths: cells.map((c) => c.path), ramBytes: 1024 * 1024, tag: 'cell-store' });
  const got = await runQemuBoard({ command: 'qemu-system-arm', args: qemuArgs(image.elf) }, { seed: SEED, fuelPerCall: FUEL, stackBytes: qemuWasm3StackBytes() }, rec.steps);
  const firstDiff = rec.transcript.findIndex((line, i) => got[i] !== line);
  t.is(firstDiff, -1, firstDiff < 0 ? '' : `line ${firstDiff}: V8 ${rec.transcript[firstDiff]} / board ${got[firstDiff]}`);
  t.is(got.length, rec.transcript.length);
});

const CELL_REGION = 1024 * 1024; // after the module store in the --store file
const BANK = 128 * 1024;

test('a restart of the posix board on the same --store file keeps what REPLYs committed (across a compaction), and not what an ERROR dropped; as V8 with a host store file', async (t) => {
  const hostPath = join(DIR, 'restart-host.store');
  const boardPath = join(DIR, 'restart-board.bin');
  const path = await storeOps;
  const first: Array<[number, Uint8Array]> = [
    [S, program(ops.put('keep', 5, 0x30))],
    // 130 values of 1000 bytes under one key: more than a 128 KiB bank holds, so the log is compacted.
    ...Array.from({ length: 130 }, (_, i): [number, Uint8Array] => [S, program(ops.put('k', 1000, i))]),
    [S, program(ops.put('z', 1), ops.error())],
    [S, program(ops.put('x', 2, 0x78))],
  ];
  const host1 = CellStore.open(hostPath);
  const rec1 = await recordStoreSession([{ path, species: S, store: host1 }], first);
  host1.close();
  t.true(rec1.answers.every((a, i) => (i === 131 ? a?.kind === 'error' : a?.kind === 'reply')));
  await sameOnBoard(t, [{ path, species: S }], rec1, boardPath);
  // The board's file: the second bank became the active one (generation 2) when the first filled.
  const file = readFileSync(boardPath);
  const head = (bank: number) => file.subarray(CELL_REGION + bank * BANK, CELL_REGION + bank * BANK + 16);
  t.is(head(1).toString('latin1', 0, 4), 'CKV1');
  t.true(head(1).readUInt32LE(4) > head(0).readUInt32LE(4) || head(0).toString('latin1', 0, 4) !== 'CKV1', 'a compaction wrote the other bank with the next generation');

  const host2 = CellStore.open(hostPath);
  const rec2 = await recordStoreSession([{ path, species: S, store: host2 }], [[S, program(ops.list())]]);
  host2.close();
  const fill = (n: number, from: number) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 255)).toString('hex');
  t.deepEqual(listed(rec2.answers[0]), [['6b', fill(1000, 129)], ['6b656570', fill(5, 0x30)], ['78', fill(2, 0x78)]]);
  await sameOnBoard(t, [{ path, species: S }], rec2, boardPath);
});

test('a board limit the host does not have: a call staging more than the board\'s 2048-byte buffer is refused with -3 (the host takes it)', async (t) => {
  const path = await storeOps;
  const rec = await recordStoreSession([{ path, species: S }], [[S, program(ops.put('x1', 1024), ops.put('x2', 1024), ops.get('x1', 0), ops.get('x2', 0))]]);
  t.is(Buffer.from(rec.answers[0]!.payload).toString('hex'), '00000000' + '00000000' + '00040000' + '00040000', 'V8: both staged');
  const got = await runPosixBoardCells([{ path, species: S }], rec.steps);
  const answers = got.filter((l) => l.startsWith('send ')).map((l) => l.slice(5));
  t.true(answers.some((h) => h.endsWith('00000000' + 'fdffffff' + '00040000' + 'ffffffff')), 'board: the second put is refused as full and was not staged');
});

// Board log records as cell-store.c writes them: the host's record with the species before its body.
function boardRecord(species: number, ops: readonly StoreOp[]): Buffer {
  const hostBody = encodeRecord(ops).subarray(8);
  const body = Buffer.concat([Buffer.alloc(4), hostBody]);
  body.writeUInt32LE(species >>> 0, 0);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

function bankHeader(gen: number): Buffer {
  const h = Buffer.alloc(16, 0xff);
  h.write('CKV1', 0, 'latin1');
  h.writeUInt32LE(gen, 4);
  h.writeUInt32LE(crc32(h.subarray(0, 8)), 8);
  return h;
}

const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 });
const opArb: fc.Arbitrary<StoreOp> = fc.oneof(
  fc.record({ key: keyArb, value: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ key: keyArb, value: fc.constant(null) }),
);
const batchArb = fc.record({ other: fc.boolean(), ops: fc.array(opArb, { minLength: 1, maxLength: 5 }) });

test('a log torn at any byte, with an erased or a garbage tail, or a flipped byte in its last record, is read up to its last good record and appended after it; as V8 with the same complete records (property)', async (t) => {
  const path = await storeOps;
  let runs = 0;
  await fc.assert(fc.asyncProperty(
    fc.array(batchArb, { minLength: 1, maxLength: 6 }), fc.nat(), fc.constantFrom('erased', 'garbage', 'flip'), fc.uint8Array({ minLength: 64, maxLength: 64 }),
    async (batches, cutSeed, tail, noise) => {
      const records = batches.map((b) => boardRecord(b.other ? S + 1 : S, b.ops));
      const log = Buffer.concat(records);
      let cut = cutSeed % (log.length + 1);
      let good = log.subarray(0, cut);
      if (tail === 'flip') {
        cut = log.length;
        good = Buffer.from(log);
        const last = log.length - records.at(-1)!.length;
        good[last + 8 + (cutSeed % (records.at(-1)!.length - 8))]! ^= 0x5a; // a byte of the last body
      }
      let complete = 0;
      for (let end = 0, i = 0; i < records.length; i++) {
        end += records[i]!.length;
        if (end <= cut && !(tail === 'flip' && i === records.length - 1)) complete = i + 1;
      }
      const region = Buffer.alloc(2 * BANK, 0xff);
      bankHeader(1).copy(region, 0);
      good.copy(region, 16);
      if (tail === 'garbage' && cut < log.length) Buffer.from(noise).copy(region, 16 + cut, 0, Math.min(64, log.length - cut));
      const boardPath = join(DIR, `torn-${runs++}.bin`);
      writeFileSync(boardPath, Buffer.concat([Buffer.alloc(CELL_REGION), region]));
      const host = CellStore.inMemory();
      for (const b of batches.slice(0, complete)) {
        if (b.other) continue;
        for (const op of b.ops) op.value ? host.put(op.key, op.value) : host.delete(op.key);
        host.commit();
      }
      const rec = await recordStoreSession([{ path, species: S, store: host }], [[S, program(ops.list())], [S, program(ops.put('new', 2))], [S, program(ops.list())]]);
      const got = await runPosixBoardCells([{ path, species: S }], rec.steps, boardPath);
      return got.length === rec.transcript.length && got.every((l, i) => l === rec.transcript[i]);
    }), { numRuns: 25 });
  t.pass();
});

test('a commit that does not fit the bank compacts with the call\'s writes folded in (a delete pushes a call past the bank\'s end); as V8', async (t) => {
  const path = await storeOps;
  const value = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 255);
  // Bank 0: 127 rewrites of "d" (all dead but the last), "x", then padding so that exactly 1048
  // bytes stay free: a put of 1024 bytes under "y" fits (1046), its call's delete of "x" does not.
  const batches: StoreOp[][] = [...Array.from({ length: 127 }, (_, i) => [{ key: value(1, 0x64), value: value(1000, i) }]), [{ key: value(1, 0x78), value: value(1, 1) }]];
  let records = batches.map((ops) => boardRecord(S, ops));
  const used = 16 + records.reduce((n, r) => n + r.length, 0);
  const pad = BANK - used - 1048 - 22; // a put of "p" with a 1-byte key takes 22 + value bytes
  batches.push([{ key: value(1, 0x70), value: value(pad, 7) }]);
  records = batches.map((ops) => boardRecord(S, ops));
  const region = Buffer.alloc(2 * BANK, 0xff);
  bankHeader(1).copy(region, 0);
  Buffer.concat(records).copy(region, 16);
  const boardPath = join(DIR, 'fold.bin');
  writeFileSync(boardPath, Buffer.concat([Buffer.alloc(CELL_REGION), region]));
  const host = CellStore.inMemory();
  for (const ops of batches) {
    for (const op of ops) host.put(op.key, op.value!);
    host.commit();
  }
  const rec = await recordStoreSession([{ path, species: S, store: host }], [[S, program(ops.put('y', 1024, 3), ops.del('x'))], [S, program(ops.list())], [S, program(ops.get('y', 0), ops.get('x', 0))]]);
  t.is(Buffer.from(rec.answers[0]!.payload).toString('hex'), '00000000' + '01000000');
  // The list stops before 1024 more bytes would overfill the output: "y" is asked for by itself.
  t.deepEqual(listed(rec.answers[1]).map(([k, v]) => [k, v.length / 2]), [['64', 1000], ['70', pad]]);
  t.deepEqual(i32s(rec.answers[2]), [1024, -1]);
  await sameOnBoard(t, [{ path, species: S }], rec, boardPath);
  const file = readFileSync(boardPath);
  t.is(file.readUInt32LE(CELL_REGION + BANK + 4), 2, 'the call was committed by a compaction into bank 1 (generation 2)');
});
