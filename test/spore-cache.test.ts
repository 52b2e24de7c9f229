// The spore cache: content-addressed names, the size and entry caps with LRU eviction, pinned
// spores kept, atomic writes (a crash's leftovers swept, a corrupted file never served), served counts.
import test from 'ava';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vectorSpore, VECTOR_ISSUED } from '../fuzz/valid-spores.ts';
import { decodeSporeFile } from '../host/spore/spore-file.ts';
import { defaultSporeDir, SporeCache } from '../host/spore/spore-cache.ts';

const hashOf = (spore: Uint8Array) => Buffer.from(decodeSporeFile(spore).manifest.moduleHash).toString('hex');
/** Distinct spores (distinct modules), each about 470 + padding bytes. */
const spores = [0, 100, 200, 300, 400].map((p) => vectorSpore({ padding: 1 + p }));

async function cacheWith(opts: { capBytes?: number; maxEntries?: number } = {}) {
  let clock = 1_000;
  const dir = await mkdtemp(join(tmpdir(), 'spore-cache-'));
  const cache = await SporeCache.open({ dir, ...opts, now: () => clock });
  return { cache, dir, tick: () => (clock += 1000) };
}

test('the default directory is $CELL_HOME/spores, else ~/.cell/spores', (t) => {
  t.is(defaultSporeDir({ CELL_HOME: '/x/y' }), '/x/y/spores');
  t.regex(defaultSporeDir({}), /\.cell\/spores$/);
});

test('put then get: named by the module hash, bytes back exactly', async (t) => {
  const { cache, dir } = await cacheWith();
  const e = await cache.put(spores[0]!);
  t.is(e.hash, hashOf(spores[0]!));
  t.is(e.name, 'vector');
  t.deepEqual(await cache.get(e.hash), spores[0]);
  t.is(await cache.get('00'.repeat(32)), null);
  t.is(await cache.get('../../etc/passwd'), null);
  t.deepEqual((await readdir(dir)).sort(), [`${e.hash}.json`, `${e.hash}.spore`]);
});

test('the size cap evicts the least recently used first; a get counts as a use', async (t) => {
  const sizes = spores.map((s) => s.length);
  const { cache, tick } = await cacheWith({ capBytes: sizes[0]! + sizes[2]! + sizes[3]! }); // a, b, c fit; d fits once b goes
  const [a, b, c, d] = spores.map(hashOf);
  for (const s of spores.slice(0, 3)) { await cache.put(s); tick(); }
  await cache.get(a!); // a is now the most recent: b is the oldest
  tick();
  await cache.put(spores[3]!);
  const held = (await cache.list()).map((e) => e.hash);
  t.false(held.includes(b!));
  t.true(held.includes(a!) && held.includes(c!) && held.includes(d!));
  t.deepEqual(held, [d, a, c], 'most recently used first');
  t.true((await cache.list()).reduce((n, e) => n + e.bytes, 0) <= cache.capBytes);
});

test('the entry cap holds too; a pinned spore is never evicted, and a full cache of pinned spores refuses a put', async (t) => {
  const { cache, tick } = await cacheWith({ maxEntries: 2 });
  const [a, b] = spores.map(hashOf);
  await cache.put(spores[0]!); tick();
  await cache.put(spores[1]!); tick();
  await cache.pin(a!);
  await cache.put(spores[2]!); tick();
  let held = (await cache.list()).map((e) => e.hash);
  t.true(held.includes(a!), 'pinned a survives though it is the oldest');
  t.false(held.includes(b!));
  await cache.pin(hashOf(spores[2]!));
  await t.throwsAsync(cache.put(spores[3]!), { message: /full: running \(pinned\) spores/ });
  await cache.unpin(a!);
  await cache.put(spores[3]!);
  held = (await cache.list()).map((e) => e.hash);
  t.false(held.includes(a!));
  t.true((await cache.list()).find((e) => e.hash === hashOf(spores[2]!))!.pinned);
});

test('a pin by a process that has exited lapses', async (t) => {
  const { cache, dir } = await cacheWith();
  const e = await cache.put(spores[0]!);
  const dead = 999_999_999; // above Linux's pid_max (2^22): no process has it
  await writeFile(join(dir, `${e.hash}.pin.${dead}`), '');
  t.false((await cache.list())[0]!.pinned);
  await SporeCache.open({ dir });
  t.false((await readdir(dir)).some((n) => n.includes('.pin.')));
});

test('atomic writes: no temporary file stays; a crash\'s leftovers are swept; a corrupted spore is never served', async (t) => {
  const { cache, dir } = await cacheWith();
  const e = await cache.put(spores[0]!);
  t.false((await readdir(dir)).some((n) => n.startsWith('.tmp-')));
  // What a crashed writer leaves: a temp file of a dead process, a .spore whose .json was never written.
  await writeFile(join(dir, '.tmp-999999999-abc'), 'half a spore');
  const orphan = hashOf(spores[1]!);
  await writeFile(join(dir, `${orphan}.spore`), spores[1]!);
  const again = await SporeCache.open({ dir });
  const names = await readdir(dir);
  t.false(names.includes('.tmp-999999999-abc'));
  t.true(names.includes(`${orphan}.json`), 'facts rebuilt from the file');
  // A flipped bit on disk under a real name: get refuses it, removes it, counts it.
  const bad = spores[0]!.slice();
  bad[bad.length - 2]! ^= 1;
  await writeFile(join(dir, `${e.hash}.spore`), bad);
  t.is(await again.get(e.hash), null);
  t.is(again.corruptRemoved, 1);
  t.false(await again.has(e.hash));
  await t.throwsAsync(again.put(bad), { message: /module-hash-mismatch/ });
});

test('moduleSync (a SPORE_GET answered from disk): the module exactly; nothing for unknown or hostile names; a corrupted file removed and counted', async (t) => {
  const { cache, dir } = await cacheWith();
  const e = await cache.put(spores[2]!);
  t.deepEqual(cache.moduleSync(e.hash), decodeSporeFile(spores[2]!).module);
  t.is(cache.moduleSync('00'.repeat(32)), null);
  t.is(cache.moduleSync('../../etc/passwd'), null);
  t.is(cache.moduleSync(e.hash.toUpperCase()), null);
  const bad = spores[2]!.slice();
  bad[bad.length - 3]! ^= 0x40;
  await writeFile(join(dir, `${e.hash}.spore`), bad);
  t.is(cache.moduleSync(e.hash), null);
  t.is(cache.corruptRemoved, 1);
  t.deepEqual(await readdir(dir), []);
});

test('served counts and last use; a later-issued spore of the same module replaces the older, keeping its count', async (t) => {
  const { cache, tick } = await cacheWith();
  const h = hashOf(spores[0]!);
  await cache.put(spores[0]!);
  tick();
  await cache.markServed(h);
  await cache.markServed(h);
  let [e] = await cache.list();
  t.is(e!.served, 2);
  t.is(e!.lastUsed, 2000);
  const newer = vectorSpore({ padding: 1, issuedAt: VECTOR_ISSUED + 10, revision: 2 });
  t.is(hashOf(newer), h);
  await cache.put(newer);
  [e] = await cache.list();
  t.is(e!.revision, 2);
  t.is(e!.served, 2);
  await cache.put(spores[0]!); // older: kept out
  t.is((await cache.list())[0]!.revision, 2);
  t.is(await cache.markServed('nothing'), null);
});
