// SPAWN between in-process nodes (loopback, authenticated sessions): an offer is accepted and the
// target fetches the spore from the spawner, verifies, caches and serves it; each refusal reason
// is answered and counted by the spawner; a fetch that cannot complete frees the target's place;
// the offer decoder takes any bytes without crashing (property).
import test from 'ava';
import fc from 'fast-check';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CellNode, type HostedCell } from '../host/runtime/cell-node.ts';
import { LoopbackHub } from '../host/transport/loopback-transport.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { SpawnHost } from '../host/runtime/spawn-host.ts';
import { TrustStore } from '../host/spore/trust.ts';
import { SporeCache } from '../host/spore/spore-cache.ts';
import { generateAuthorityKey, type AuthorityKey } from '../host/spore/authority-key.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { decodeSporeFile } from '../host/spore/spore-file.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { decodeSpawnOffer, encodeSpawnOffer, SpawnPayloadError } from '../host/wire/spawn-payload.ts';
import { connect } from '../host/sdk/connect.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm, cellWasm } from './fixtures/built.ts';
import { waitUntil } from './fixtures/wait-until.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import type { CellSchema } from '../host/sdk/schema.ts';

const FAST = { announceIntervalMs: 50, probeIntervalMs: 0, callTimeoutMs: 20000 };
const now = () => Math.floor(Date.now() / 1000);

function exchangeSpore(key: AuthorityKey, cpuTarget = 0.6): Uint8Array {
  const module = cellWasm('exchange');
  return signSpore({ module, schema: inspectWasm(module).schema as CellSchema, biology: { min_replicas: 1, max_replicas: 4, cpu_target: cpuTarget }, limits: { in_bytes: 1024, out_bytes: 2028 } },
    { key, issuedAt: now() - 10, expiresAt: now() + 3600, revision: 1 });
}

type Outcome = { cell: HostedCell; fromCache: boolean } | { refused: string } | { failed: string };

async function node(hub: LoopbackHub, trusted: Uint8Array[], cacheDir?: string) {
  const id = await newIdentity();
  const outcomes: Outcome[] = [];
  const cache = cacheDir ? await SporeCache.open({ dir: cacheDir }) : null;
  const spawns = new SpawnHost({ trust: new TrustStore({ authorities: trusted }), cache });
  // As `cell run` wires them: the cache answers SPORE_GETs for modules not in memory, and counts whole serves.
  const spores = new SporeBytes(cache ? { lookup: (h) => cache.moduleSync(h), onServed: (h) => void cache.markServed(Buffer.from(h).toString('hex')) } : {});
  const n = await CellNode.create({
    nodeId: id.nodeId, identity: id, kernelWasm: kernelWasm(), transports: [hub.attach(id.nodeId)], config: FAST,
    spores, spawns, onSpawned: (_from, r) => outcomes.push(r),
  });
  return { node: n, outcomes, spawns, cache };
}

/** A session from a to b (a node rate-limits new sessions: a refused HELLO is tried again). */
async function session(a: CellNode, b: CellNode): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await a.handshake(b.nodeId);
      return;
    } catch (e) {
      if (i >= 5) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function spawner(hub: LoopbackHub, key: AuthorityKey, cpuTarget = 0.6) {
  const s = await node(hub, [key.publicKey]);
  const parts = decodeSporeFile(exchangeSpore(key, cpuTarget));
  const cell = await s.node.host(parts.module);
  s.spawns.remember(cell.speciesId, parts);
  return s;
}

test.serial('an accepted SPAWN: the target fetches from the spawner, verifies, caches, hosts and serves', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const dir = await mkdtemp(join(tmpdir(), 'spawn-cache-'));
  const a = await spawner(hub, key);
  const b = await node(hub, [key.publicKey], dir);
  try {
    await session(a.node, b.node);
    t.is(a.node.spawnTo(Exchange.speciesId, b.node.nodeId), 0);
    await waitUntil(() => b.outcomes.length > 0, 'the target to finish the spawn');
    t.true('cell' in b.outcomes[0]!, JSON.stringify(b.outcomes[0]));
    t.is(a.node.kernel.stat('spawnOffersSent'), 1);
    await waitUntil(() => a.node.kernel.stat('spawnAccepted') === 1, 'the spawner to count the acceptance');
    t.is(b.node.kernel.stat('spawnOffersRx'), 1);
    t.is([...b.node.cells.values()][0]!.name, 'exchange');
    t.true((await readdir(dir)).some((f) => f.endsWith('.spore')), 'the fetched spore is in the cache');
    // The new replica serves: a call addressed to it is answered.
    const ex = await connect(Exchange, { node: a.node, dst: b.node.nodeId });
    t.is(typeof (await ex.place_order('BTC', 2)), 'bigint');
    // Offered again, it already hosts the species.
    t.is(a.node.spawnTo(Exchange.speciesId, b.node.nodeId), 0);
    await waitUntil(() => a.node.kernel.stat('spawnRefusedHostsIt') === 1, 'the refusal "already hosts it"');
  } finally {
    await Promise.all([a.node.close(), b.node.close()]);
  }
});

test.serial('a restarted node: a SPAWN of a spore its cache holds starts without a fetch, and it serves the cached spore to others', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const dir = await mkdtemp(join(tmpdir(), 'spawn-cache-'));
  // What a node that ran or fetched the spore before its restart left on disk.
  const spore = exchangeSpore(key);
  await (await SporeCache.open({ dir })).put(spore);
  const a = await spawner(hub, key);
  const b = await node(hub, [key.publicKey], dir);
  const c = await node(hub, [key.publicKey]);
  try {
    await session(a.node, b.node);
    t.is(a.node.spawnTo(Exchange.speciesId, b.node.nodeId), 0);
    await waitUntil(() => b.outcomes.length > 0, 'the target to finish the spawn');
    t.like(b.outcomes[0], { fromCache: true });
    t.is(b.spawns.counts.fromCache, 1);
    t.is(b.spawns.counts.fetched, 0);
    t.is(a.node.kernel.stat('sporeChunksServed'), 0, 'nothing was fetched from the spawner');
    t.is(b.node.kernel.stat('sporeChunksRx'), 0);
    const ex = await connect(Exchange, { node: a.node, dst: b.node.nodeId });
    t.is(typeof (await ex.place_order('BTC', 2)), 'bigint');

    // A module only in the cache (not hosted, not in memory) is served too: c fetches it from b.
    const other = signSpore({ module: cellWasm('kv'), schema: inspectWasm(cellWasm('kv')).schema as CellSchema, biology: { min_replicas: 1, max_replicas: 2, cpu_target: 0.5 }, limits: { in_bytes: 1024, out_bytes: 1024 } },
      { key, issuedAt: now() - 10, expiresAt: now() + 3600, revision: 1 });
    const entry = await b.cache!.put(other);
    const m = decodeSporeFile(other).manifest;
    await session(c.node, b.node);
    const got = await c.node.fetchSpore({ species: m.speciesId, hash: m.moduleHash, root: m.chunkRoot, size: m.moduleSize, hints: [b.node.nodeId] });
    t.deepEqual(Buffer.from(got), Buffer.from(cellWasm('kv')));
    let served = 0;
    for (let i = 0; i < 200 && served === 0; i++) {
      served = (await b.cache!.list()).find((e) => e.hash === entry.hash)?.served ?? 0;
      if (served === 0) await new Promise((r) => setTimeout(r, 10));
    }
    t.is(served, 1, 'the cache counts one whole spore served');
    // A hash the cache does not hold is still refused NOT_HELD.
    await t.throwsAsync(c.node.fetchSpore({ species: 0x5eed0003, hash: new Uint8Array(32).fill(7), root: m.chunkRoot, size: m.moduleSize, hints: [b.node.nodeId] }), { message: /no holder left/ });
    t.true(b.node.kernel.stat('sporeRefusedNotHeld') >= 1);
  } finally {
    await Promise.all([a.node.close(), b.node.close(), c.node.close()]);
  }
});

test.serial('a second offer while the first one\'s fetch still runs is answered "hosts it": one node never starts two replicas of a species', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const a = await spawner(hub, key);
  const c = await spawner(hub, key);
  const b = await node(hub, [key.publicKey]);
  // Spore chunks do not reach b until released: its first fetch is still running when c offers.
  let hold = true;
  const route = hub.route.bind(hub);
  hub.route = (from, frame) => {
    if (hold && frame[2] === 8) return;
    route(from, frame);
  };
  try {
    await session(a.node, b.node);
    await session(c.node, b.node);
    a.node.spawnTo(Exchange.speciesId, b.node.nodeId);
    await waitUntil(() => a.node.kernel.stat('spawnAccepted') === 1, 'the first offer accepted');
    await new Promise((r) => setTimeout(r, 1100)); // past the kernel's one offer a second
    c.node.spawnTo(Exchange.speciesId, b.node.nodeId);
    await waitUntil(() => c.node.kernel.stat('spawnRefusedHostsIt') === 1, 'the second offer answered "hosts it"');
    t.regex(JSON.stringify(b.outcomes[0]), /already starting here/);
    hold = false;
    await waitUntil(() => b.outcomes.some((o) => 'cell' in o), 'the first spawn to finish');
    t.is(b.node.cells.size, 1);
  } finally {
    await Promise.all([a.node, c.node, b.node].map((n) => n.close()));
  }
});

test.serial('refusals: untrusted authority, over its CPU share, busy; each answered and counted', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const a = await spawner(hub, key);
  const untrusting = await node(hub, [generateAuthorityKey().publicKey]);
  const c = await spawner(hub, key, 1); // cpu_target 1: any load on the target is too much
  const loaded = await node(hub, [key.publicKey]);
  try {
    await session(a.node, untrusting.node);
    a.node.spawnTo(Exchange.speciesId, untrusting.node.nodeId);
    await waitUntil(() => a.node.kernel.stat('spawnRefusedUntrusted') === 1, 'the refusal "untrusted"');
    t.regex(JSON.stringify(untrusting.outcomes[0]), /not trusted here/);
    t.is(untrusting.node.cells.size, 0);
    // Over its CPU share: the target reports load, the cell asks for all of a node.
    // (the node's meter would report 0 for an idle node every second: hold it at half).
    Object.defineProperty(loaded.node, 'lastLoad', { get: () => 0.5, set: () => undefined });
    await session(c.node, loaded.node);
    await session(a.node, loaded.node);
    c.node.spawnTo(Exchange.speciesId, loaded.node.nodeId);
    await waitUntil(() => c.node.kernel.stat('spawnRefusedCpu') === 1, 'the refusal "over CPU"');
    // A second offer right after the first (sessions are up: no wait between them): busy, one offer a second per node.
    a.node.spawnTo(Exchange.speciesId, loaded.node.nodeId);
    await waitUntil(() => a.node.kernel.stat('spawnRefusedBusy') === 1, 'the refusal "busy"');
    t.is(loaded.node.cells.size, 0);
  } finally {
    await Promise.all([a.node, untrusting.node, c.node, loaded.node].map((n) => n.close()));
  }
});

test.serial('a division round passes over a target that refused: the next round asks the next node', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const a = await spawner(hub, key);
  const b = await node(hub, [key.publicKey]);
  // The untrusting node must come first in placement: with no RTT measured and the same spare,
  // the smaller node id wins (mitoPickTarget), so make one that sorts before b.
  let untrusting = await node(hub, [generateAuthorityKey().publicKey]);
  while (untrusting.node.nodeId > b.node.nodeId) {
    await untrusting.node.close();
    untrusting = await node(hub, [generateAuthorityKey().publicKey]);
  }
  try {
    await session(a.node, untrusting.node);
    await session(a.node, b.node);
    await waitUntil(() => a.node.kernel.peers().filter((p) => p.spare === 1).length >= 2, 'the spawner to hear both targets\' spare capacity');
    // min_replicas 2: the lone replica's next division round places a sibling.
    a.node.setBiology([...a.node.cells.values()][0]!.slot, { min_replicas: 2, max_replicas: 4, cpu_target: 0.6 });
    await waitUntil(() => b.node.cells.size === 1, 'the sibling to start on the trusting node');
    t.is(a.node.kernel.stat('spawnRefusedUntrusted'), 1, 'the untrusting node was asked once, then passed over');
    t.is(untrusting.outcomes.length, 1);
    t.is(untrusting.node.cells.size, 0);
  } finally {
    await Promise.all([a.node, untrusting.node, b.node].map((n) => n.close()));
  }
});

test.serial('a node with no signed spore of the species cannot spawn it (bare .wasm): hal.spawn answers -1', async (t) => {
  const hub = new LoopbackHub();
  const a = await node(hub, []);
  try {
    await a.node.host(cellWasm('exchange'));
    t.is(a.node.spawnTo(Exchange.speciesId, 0x12345678), -1);
    t.is(a.node.kernel.stat('spawnOffersSent'), 0);
  } finally {
    await a.node.close();
  }
});

test.serial('an accepted spawn whose fetch fails (the spawner is gone) ends as failed and frees its place', async (t) => {
  const hub = new LoopbackHub();
  const key = generateAuthorityKey();
  const a = await spawner(hub, key);
  const b = await node(hub, [key.publicKey]);
  try {
    await session(a.node, b.node);
    // The spawner stops serving chunks the moment its offer is out.
    const sporesOf = (a.node as unknown as { spores: SporeBytes }).spores;
    sporesOf.chunk = () => null;
    a.node.spawnTo(Exchange.speciesId, b.node.nodeId);
    await waitUntil(() => b.outcomes.length > 0, 'the spawn to fail', 60_000);
    t.true('failed' in b.outcomes[0]!, JSON.stringify(b.outcomes[0]));
    t.is(b.node.cells.size, 0);
  } finally {
    await Promise.all([a.node.close(), b.node.close()]);
  }
});

test('property: the SPAWN offer decoder answers any bytes with an offer or a SpawnPayloadError, and round-trips offers', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    try {
      decodeSpawnOffer(bytes);
    } catch (e) {
      if (!(e instanceof SpawnPayloadError)) throw e;
    }
  }));
  const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  fc.assert(fc.property(b32, b32, fc.integer({ min: 1, max: 4194304 }), fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (hash, root, size, manifest, signature) => {
    const o = { hash, root, size, manifest, signature };
    const back = decodeSpawnOffer(encodeSpawnOffer(o));
    return back.size === size && Buffer.from(back.manifest).equals(Buffer.from(manifest)) && Buffer.from(back.hash).equals(Buffer.from(hash));
  }));
  t.pass();
});

test('the SPAWN offer test vector of docs/wire.md', (t) => {
  const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
  const bytes = encodeSpawnOffer({ hash: fill(32, 0x11), root: fill(32, 0x22), size: 1024, manifest: Uint8Array.of(0xa0), signature: fill(64, 0x33) });
  t.is(Buffer.from(bytes).toString('hex'), `855820${'11'.repeat(32)}5820${'22'.repeat(32)}19040041a05840${'33'.repeat(64)}`);
  t.is(bytes.length, 140);
});
