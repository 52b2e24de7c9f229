// The cell store's log format and its crash behaviour (host/store): a write torn at any byte, or a
// corrupted last record, is detected, and the state is that of the last complete record.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { encodeRecord, readStoreLog, type StoreOp } from '../host/store/store-log.ts';
import { CellStore, STORE_MAX_KEYS, StoreRefusal } from '../host/store/cell-store.ts';

const DIR = mkdtempSync(join(tmpdir(), 'cell-store-test-'));
test.after.always(() => rmSync(DIR, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(DIR, `s${files++}.store`);

const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 }); // few keys, so writes overwrite
const opArb: fc.Arbitrary<StoreOp> = fc.oneof(
  fc.record({ key: keyArb, value: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ key: keyArb, value: fc.constant(null) }),
);
const batchesArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
/** The state after applying batches in order: [key hex, value hex], sorted by key. */
function replay(batches: readonly StoreOp[][], extra: Array<[string, string]> = []): Array<[string, string]> {
  const m = new Map<string, string>();
  for (const ops of batches) for (const op of ops) op.value ? m.set(hex(op.key), hex(op.value)) : m.delete(hex(op.key));
  for (const [k, v] of extra) m.set(k, v);
  return sorted(m);
}
/** The store's keys in its own (byte) order, which must be the sorted order. */
function contents(store: CellStore): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let k = store.next(new Uint8Array(0)); k; k = store.next(k)) out.push([hex(k), hex(store.get(k)!)]);
  return out;
}

test('a log cut at any byte reads back as its complete records, and no more', (t) => {
  fc.assert(fc.property(batchesArb, fc.nat(), (batches, cutSeed) => {
    const records = batches.map(encodeRecord);
    const log = Buffer.concat(records);
    const cut = cutSeed % (log.length + 1);
    let complete = 0;
    for (let end = 0, i = 0; i < records.length; i++) {
      end += records[i]!.length;
      if (end <= cut) complete = i + 1;
    }
    const read = readStoreLog(log.subarray(0, cut));
    t.is(read.records.length, complete);
    t.deepEqual(replay(read.records), replay(batches.slice(0, complete)));
    t.is(read.goodBytes, records.slice(0, complete).reduce((n, r) => n + r.length, 0));
  }), { numRuns: 300 });
});

test('a flipped byte in the last record is caught by its CRC: the state is the one before it', (t) => {
  fc.assert(fc.property(batchesArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (batches, at, flip) => {
    const records = batches.map(encodeRecord);
    const log = Buffer.concat(records);
    const lastStart = log.length - records.at(-1)!.length;
    const i = lastStart + (at % records.at(-1)!.length);
    log[i]! ^= flip;
    const read = readStoreLog(log);
    t.deepEqual(replay(read.records), replay(batches.slice(0, -1)));
  }), { numRuns: 300 });
});

test('a store torn at any byte by a crash reopens at its last complete commit, and appends after it', (t) => {
  fc.assert(fc.property(batchesArb, fc.nat(), (batches, cutSeed) => {
    const path = freshPath();
    const s = CellStore.open(path);
    const sizes: number[] = [];
    for (const ops of batches) {
      for (const op of ops) op.value ? s.put(op.key, op.value) : s.delete(op.key);
      s.commit();
      sizes.push(statSync(path).size);
    }
    s.close();
    const cut = cutSeed % (sizes.at(-1)! + 1);
    truncateSync(path, cut);
    const complete = sizes.filter((n) => n <= cut).length;
    const reopened = CellStore.open(path);
    t.deepEqual(contents(reopened), replay(batches.slice(0, complete)));
    // A commit after the torn tail is readable on the next open.
    reopened.put(Uint8Array.of(9), Uint8Array.of(1, 2));
    reopened.commit();
    reopened.close();
    const again = CellStore.open(path);
    t.deepEqual(contents(again), replay(batches.slice(0, complete), [['09', '0102']]));
    again.close();
  }), { numRuns: 60 });
});

test('writes are staged until commit; discard forgets them; reads see the staged writes', (t) => {
  const path = freshPath();
  const s = CellStore.open(path);
  const k = Uint8Array.of(1);
  s.put(k, Uint8Array.of(7));
  t.deepEqual(s.get(k), Uint8Array.of(7));
  s.discard();
  t.is(s.get(k), undefined);
  s.put(k, Uint8Array.of(8));
  s.commit();
  t.true(s.delete(k));
  t.is(s.get(k), undefined);
  t.deepEqual(s.next(new Uint8Array(0)), undefined);
  s.discard();
  t.deepEqual(s.get(k), Uint8Array.of(8));
  s.close();
  t.deepEqual(contents(CellStore.open(path)), [['01', '08']]);
});

test('limits: key 1..64 bytes, value up to 1024, at most 1024 keys', (t) => {
  const s = CellStore.inMemory();
  t.is(s.put(new Uint8Array(0), Uint8Array.of(1)), StoreRefusal.KEY_SIZE);
  t.is(s.put(new Uint8Array(65), Uint8Array.of(1)), StoreRefusal.KEY_SIZE);
  t.is(s.put(Uint8Array.of(1), new Uint8Array(1025)), StoreRefusal.VALUE_SIZE);
  for (let i = 0; i < STORE_MAX_KEYS; i++) t.is(s.put(Uint8Array.of(i >> 8, i & 255), Uint8Array.of(1)), 0);
  t.is(s.put(Uint8Array.of(9, 9, 9), Uint8Array.of(1)), StoreRefusal.FULL);
  t.is(s.put(Uint8Array.of(0, 5), Uint8Array.of(2)), 0); // replacing is fine when full
});

test('the log is compacted into one snapshot once it is mostly overwritten values', (t) => {
  const path = freshPath();
  const s = CellStore.open(path);
  const v = new Uint8Array(1000);
  for (let i = 0; i < 200; i++) {
    v[0] = i;
    s.put(Uint8Array.of(1), v);
    s.commit();
  }
  s.close();
  t.true(statSync(path).size < 64 * 1024 + 2048, `${statSync(path).size} bytes`);
  const back = CellStore.open(path);
  t.is(back.get(Uint8Array.of(1))![0], 199);
  back.close();
  writeFileSync(path, readFileSync(path)); // unchanged bytes reopen to the same state
  t.is(CellStore.open(path).get(Uint8Array.of(1))![0], 199);
});
