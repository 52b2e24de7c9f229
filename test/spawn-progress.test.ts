// Progress of a spawn's fetch (SpawnHost.fetchVerified): nothing for a fetch under a second; past
// it, reports whose bytes never go back and a last one marked done, with every byte when the
// module arrived and with what was held when it did not. The clock is the test's.
import test from 'ava';
import { SpawnHost, type FetchProgress } from '../host/runtime/spawn-host.ts';
import { TrustStore } from '../host/spore/trust.ts';
import { generateAuthorityKey } from '../host/spore/authority-key.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { decodeSporeFile } from '../host/spore/spore-file.ts';
import { decodeManifest } from '../host/spore/manifest.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { sha256 } from '../host/identity/sha256.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { cellWasm } from './fixtures/built.ts';

const key = generateAuthorityKey();
const module = cellWasm('exchange');
const t = Math.floor(Date.now() / 1000);
const parts = decodeSporeFile(signSpore({ module, schema: inspectWasm(module).schema as CellSchema, biology: { min_replicas: 1, max_replicas: 4, cpu_target: 0.6 }, limits: { in_bytes: 1024, out_bytes: 2028 } },
  { key, issuedAt: t - 10, expiresAt: t + 3600, revision: 1 }));
const offer = { hash: sha256(module), root: chunkRoot(module), size: module.length, manifest: parts.manifestBytes, signature: parts.signature };
const manifest = decodeManifest(parts.manifestBytes);

/** A SpawnHost on a clock the test moves, the reports it made, and a fetch that ends when told. */
function rig(startAtMs: number) {
  let clock = startAtMs;
  const reports: FetchProgress[] = [];
  const host = new SpawnHost({ trust: new TrustStore({ authorities: [key.publicKey] }), cache: null, now: () => clock, onProgress: (p) => reports.push(p) });
  let finish!: (m: Uint8Array | Error) => void;
  const fetched = new Promise<Uint8Array>((resolve, reject) => (finish = (m) => (m instanceof Error ? reject(m) : resolve(m))));
  return { host, reports, fetched, finish, advance: (ms: number) => (clock += ms) };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a fetch under a second reports nothing', async (t) => {
  const r = rig(0);
  const done = r.host.fetchVerified(offer, manifest, () => r.fetched, () => 1024);
  await tick(600);
  r.advance(500);
  r.finish(module);
  t.is((await done).manifest.name, 'exchange');
  t.deepEqual(r.reports, []);
});

test('a long fetch: bytes that never go back, then done with every byte', async (t) => {
  const r = rig(0);
  let held = 0;
  const done = r.host.fetchVerified(offer, manifest, () => r.fetched, () => held);
  for (let i = 1; i <= 4; i++) {
    r.advance(1000);
    held = Math.min(module.length, i * 4096);
    await tick(300); // one report a PROGRESS_EVERY_MS (250 ms) of real time
  }
  r.finish(module);
  await done;
  t.true(r.reports.length >= 3, JSON.stringify(r.reports));
  for (let i = 1; i < r.reports.length; i++) t.true(r.reports[i]!.received >= r.reports[i - 1]!.received);
  t.true(r.reports.slice(0, -1).every((p) => !p.done && p.size === module.length && p.name === 'exchange'));
  const last = r.reports.at(-1)!;
  t.true(last.done);
  t.is(last.received, module.length);
});

test('a long fetch that fails: done with the bytes it held', async (t) => {
  const r = rig(0);
  const done = r.host.fetchVerified(offer, manifest, () => r.fetched, () => 3072);
  r.advance(2000);
  await tick(300);
  r.finish(new Error('no holder left'));
  await t.throwsAsync(done, { message: 'no holder left' });
  const last = r.reports.at(-1)!;
  t.true(last.done);
  t.is(last.received, 3072);
});
