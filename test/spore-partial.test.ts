// Partial fetches on disk (host/runtime/partial-store.ts; docs/spores.md, Transfer): a fetch cut
// off keeps its verified chunks in the node's spore cache, and the next process resumes from them.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { PartialStore } from '../host/runtime/partial-store.ts';
import { SporeBytes, SporeFetchError, PARTIAL_FLUSH_MS } from '../host/runtime/spore-bytes.ts';
import { KernelInstance, type KernelHal } from '../host/runtime/kernel-instance.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { decodeHeader } from '../host/wire/header.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'cell-partial-'));
const moduleOf = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 131 + 7 + (i >> 10)) & 255);
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const sha = (u: Uint8Array) => new Uint8Array(createHash('sha256').update(u).digest());
const kernel = KernelInstance.compile(readFileSync('build/kernel.wasm'));

/** Two open kernels, a holder (1) and a fetcher (2); frames from the holder pass while `pass` says so. */
async function pair(fetcherBytes: SporeBytes, holderBytes = new SporeBytes()) {
  const queue: Uint8Array[] = [];
  const nodes = new Map<number, KernelInstance>();
  let pass = (_f: Uint8Array) => true;
  for (const [id, bytes] of [[1, holderBytes], [2, fetcherBytes]] as const) {
    const hal: KernelHal = { send: (f) => queue.push(f.slice()), now: () => 0, random: () => 5, cellCall: () => -1, deliver: () => {}, spores: bytes };
    const k = KernelInstance.instantiate(await kernel, hal);
    k.configure('probeIntervalMs', 0);
    k.configure('announceIntervalMs', 0);
    k.init(id, 0);
    bytes.attach(k);
    nodes.set(id, k);
  }
  const flush = () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const h = decodeHeader(f);
      if (h.src === 1 && !pass(f)) continue;
      nodes.get(h.dst)?.onFrame(f);
    }
  };
  return { holderBytes, fetcher: nodes.get(2)!, flush, setPass: (p: (f: Uint8Array) => boolean) => (pass = p) };
}

const request = (m: Uint8Array) => ({ species: 0x5eed0003, hash: sha(m), root: chunkRoot(m), size: m.length, hints: [1] });

test('partial store: chunks and their list round-trip; the list never names a chunk not written', (t) => {
  const store = new PartialStore(tmp());
  const m = moduleOf(5000);
  const h = hex(sha(m));
  const held = Uint8Array.of(1, 0, 1, 0, 0);
  store.save(h, m, held, [0, 2]);
  const got = store.load(h, 5000, 5)!;
  t.deepEqual([...got.held], [...held]);
  t.deepEqual(got.module.subarray(0, 1024), m.subarray(0, 1024));
  t.deepEqual(got.module.subarray(2048, 3072), m.subarray(2048, 3072));
  t.true(got.module.subarray(1024, 2048).every((b) => b === 0), 'a chunk not held is not written');
  t.deepEqual(store.list(), [h]);
});

test('partial store: files that do not fit are removed, not trusted (wrong size, a bad list, a missing module file, a hostile name)', (t) => {
  const dir = tmp();
  const store = new PartialStore(dir);
  const m = moduleOf(3000);
  const h = hex(sha(m));
  const cases: Array<[string, () => void]> = [
    ['module of another size', () => store.load(h, 3001, 3)],
    ['list of another length', () => store.load(h, 3000, 4)],
    ['a list byte over 1', () => { writeFileSync(join(dir, `${h}.held`), Uint8Array.of(1, 2, 0)); store.load(h, 3000, 3); }],
    ['no module file', () => { writeFileSync(join(dir, `${h}.part`), ''); store.load(h, 3000, 3); }],
  ];
  for (const [what, damage] of cases) {
    store.save(h, m, Uint8Array.of(1, 1, 0), [0, 1]);
    damage();
    t.is(store.load(h, 3000, 3), null, what);
    t.false(existsSync(join(dir, `${h}.part`)) || existsSync(join(dir, `${h}.held`)), what);
  }
  t.is(store.load('../../etc/passwd', 10, 1), null);
  store.save('../x', m, Uint8Array.of(1), [0]);
  t.deepEqual(readdirSync(dir), []);
});

test('partial store: at most `cap` modules; the least recently written goes first', (t) => {
  const dir = tmp();
  const store = new PartialStore(dir, 4);
  const hashes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const m = moduleOf(1000 + i);
    const h = hex(sha(m));
    hashes.push(h);
    store.save(h, m, Uint8Array.of(1), [0]);
    utimesSync(join(dir, `${h}.part`), 1000 + i, 1000 + i); // distinct ages however fast the disk is
  }
  t.deepEqual(store.list().sort(), hashes.slice(2).sort());
});

test('a fetch cut off keeps its chunks on disk; the next process asks only for the rest and gets the exact module', async (t) => {
  const dir = tmp();
  const m = moduleOf(20 * 1024 + 5);
  const first = new SporeBytes({ partialDir: dir });
  const a = await pair(first);
  a.holderBytes.serve(m);
  let data = 0;
  a.setPass((f) => f[2] !== 8 || data++ < 7); // SPORE_DATA: 7 chunks, then nothing
  const cut = first.fetch(request(m));
  a.flush();
  // The fetch is still running: its chunks reach the disk within PARTIAL_FLUSH_MS, as before a kill -9.
  await new Promise((r) => setTimeout(r, PARTIAL_FLUSH_MS * 2));
  const kept = new PartialStore(dir).load(hex(sha(m)), m.length, 21)!;
  t.is(kept.held.reduce((s, v) => s + v, 0), 7);
  void cut.catch(() => {});

  // A new process on the same directory: asks the holder only for the 14 chunks it lacks.
  const second = new SporeBytes({ partialDir: dir });
  const asked: number[] = [];
  const holder = new SporeBytes();
  holder.serve(m);
  const real = holder.chunk.bind(holder);
  holder.chunk = (h, i, c = 1) => {
    asked.push(i);
    return real(h, i, c);
  };
  const b = await pair(second, holder);
  const done = second.fetch(request(m));
  b.flush();
  t.true(Buffer.from(await done).equals(Buffer.from(m)));
  t.is(asked.length, 14);
  t.true(asked.every((i) => !kept.held[i]));
  t.deepEqual(new PartialStore(dir).list(), [], 'a finished fetch leaves nothing behind');
});

test('chunks damaged on disk: the module hash catches them, nothing is kept, and the next fetch starts clean', async (t) => {
  const dir = tmp();
  const m = moduleOf(6 * 1024);
  const h = hex(sha(m));
  const bad = m.slice();
  bad[100]! ^= 1;
  new PartialStore(dir).save(h, bad, Uint8Array.of(1, 1, 0, 0, 0, 0), [0, 1]);
  const holder = new SporeBytes();
  holder.serve(m);
  const bytes = new SporeBytes({ partialDir: dir });
  const b = await pair(bytes, holder);
  const p = bytes.fetch(request(m));
  b.flush();
  const err = await t.throwsAsync(p, { instanceOf: SporeFetchError });
  t.regex(err!.message, /module hash mismatch/);
  t.deepEqual(new PartialStore(dir).list(), []);
  const again = new SporeBytes({ partialDir: dir });
  const c = await pair(again, holder);
  const ok = again.fetch(request(m));
  c.flush();
  t.true(Buffer.from(await ok).equals(Buffer.from(m)));
});

test('property: a partial written and read back is consistent (every chunk it names is the module\'s); a list damaged on disk loads as nothing or as a well-formed partial, never a crash', (t) => {
  const dir = tmp();
  const store = new PartialStore(dir);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9000 }), fc.uint8Array({ maxLength: 12 }), fc.boolean(), (size, garbage, torn) => {
      const m = moduleOf(size);
      const h = hex(sha(m));
      const n = Math.ceil(size / 1024);
      const held = Uint8Array.from({ length: n }, (_, i) => (i * 7 + size) % 3 === 0 ? 1 : 0);
      store.save(h, m, held, [...held].flatMap((v, i) => (v ? [i] : [])));
      if (torn) writeFileSync(join(dir, `${h}.held`), garbage);
      const got = store.load(h, size, n);
      store.remove(h);
      if (torn) return got === null || (got.held.length === n && got.held.every((v) => v <= 1) && got.module.length === size);
      // Every chunk it says it holds is the module's.
      return got !== null && got.held.every((v, i) => !v || Buffer.from(got.module.subarray(i * 1024, (i + 1) * 1024)).equals(Buffer.from(m.subarray(i * 1024, (i + 1) * 1024))));
    }),
  );
  t.pass();
});
