// Spores in the simulator (docs/simulator.md, Spores): the kernels' real fetch over the latency
// model, one shared buffer per module and a chunk bitmap per node. A holder that dies mid-fetch,
// the only holder dying (a clear failure, then a resume), a property over seeds, losses and
// deaths, and a mitosis run where no sibling hosts before its last chunk arrived.
import test from 'ava';
import fc from 'fast-check';
import { Swarm } from '../simulator/swarm.ts';
import { SporeMirrors, type FetchOutcome, type SharedModule } from '../simulator/spores/spore-mirrors.ts';
import { loadLatencyModel } from '../simulator/latency/model.ts';
import { runMitosis } from '../simulator/mitosis/run-mitosis.ts';
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { MsgType } from '../host/wire/header.ts';
import { FETCH_OK, FETCH_NO_HOLDER } from '../host/wire/protocol-table.ts';
import { kernelWasm } from './fixtures/built.ts';

const SPECIES = 0x5eed0002;
const kernel = KernelInstance.compile(kernelWasm());

/** 40 KiB of deterministic bytes: 40 chunks, five windows of requests. */
function moduleBytes(size = 40 * 1024): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 255;
  return b;
}

interface Rig {
  swarm: Swarm;
  mirrors: SporeMirrors;
  spore: SharedModule;
  /** Chunks each node sent (SPORE_DATA frames that left it). */
  served: number[];
  /** Kill node `who` once it has sent `after` chunks. */
  killAfter: Map<number, number>;
  /** Kill the first node that sends this many chunks (whichever holder the kernel picked). */
  killFirstAfter: number;
}

async function rig(nodes: number, seed: number, loss = 0): Promise<Rig> {
  const mirrors = new SporeMirrors(nodes);
  const spore = mirrors.add(SPECIES, moduleBytes());
  const served = new Array<number>(nodes).fill(0);
  const killAfter = new Map<number, number>();
  const r = {} as Rig;
  const swarm = new Swarm({
    kernel: await kernel, latency: loadLatencyModel({ nodes, seed, latency: 'geo', loss }), seed, bootstrap: nodes - 1,
    spores: mirrors, sporeUplinkBytesPerMs: 1000,
    hooks: {
      sent: (node, frame) => {
        if (frame[2] !== MsgType.SPORE_DATA) return;
        served[node]!++;
        const kill = killAfter.get(node) === served[node] || served[node] === r.killFirstAfter;
        if (served[node] === r.killFirstAfter) r.killFirstAfter = 0;
        if (kill) r.swarm.at(r.swarm.now, () => r.swarm.kill(node));
      },
    },
  });
  mirrors.clock = () => swarm.now;
  Object.assign(r, { swarm, mirrors, spore, served, killAfter, killFirstAfter: 0 });
  swarm.runUntil(20_000); // probes have measured some RTTs
  return r;
}

/** Starts node `at`'s fetch and runs virtual time until it ends (or two virtual minutes pass). */
function fetchOn(r: Rig, at: number, hints: number[]): FetchOutcome | null {
  let out: FetchOutcome | null = null;
  const started = r.mirrors.fetch(r.swarm.kernels[at]!, at, r.spore, hints.map((h) => r.swarm.ids[h]!), r.swarm.now, (o) => (out = o));
  if (!started) throw new Error('the kernel refused to start a fetch');
  const end = r.swarm.now + 120_000;
  while (out === null && r.swarm.now < end) r.swarm.runUntil(r.swarm.now + 100);
  return out;
}

test('a holder that dies mid-fetch: the fetch completes from another holder', async (t) => {
  const r = await rig(10, 3);
  for (const h of [1, 2, 3]) r.mirrors.install(r.spore, h);
  r.killFirstAfter = 5; // whichever the kernel picks first dies after 5 chunks
  const out = fetchOn(r, 0, [1, 2, 3]);
  t.truthy(out, 'the fetch ended');
  t.true(out!.ok, `status ${out!.status}`);
  t.is(out!.status, FETCH_OK);
  t.true(r.mirrors.holds(r.spore, 0), 'the fetcher holds the whole module');
  const dead = [1, 2, 3].filter((h) => r.swarm.dead[h]);
  t.is(dead.length, 1, 'a holder died mid-fetch');
  const servers = [1, 2, 3].filter((h) => r.served[h]! > 0);
  t.true(servers.length >= 2, `chunks came from ${servers}`);
  t.true(r.swarm.kernels[0]!.stat('sporeTimeouts') > 0, 'the dead holder was timed out');
  // The fetcher is a mirror now: it serves a chunk with its proof from the shared bytes.
  const got = r.mirrors.halFor(0).chunk(r.spore.hash, 7, 1);
  t.deepEqual(got?.chunk, r.spore.bytes.subarray(7 * 1024, 8 * 1024));
});

test('the only holder dies mid-fetch: a clear failure, nothing served; a later fetch asks only the missing chunks', async (t) => {
  const r = await rig(10, 4);
  r.mirrors.install(r.spore, 1);
  r.killAfter.set(1, 12);
  const out = fetchOn(r, 0, [1]);
  t.truthy(out);
  t.false(out!.ok);
  t.is(out!.status, FETCH_NO_HOLDER);
  t.false(r.mirrors.holds(r.spore, 0));
  const kept = r.mirrors.heldChunks(r.spore, 0).length;
  t.true(kept >= 12 && kept < r.spore.chunks, `kept ${kept} chunks`);
  // A partial module is never served.
  t.is(r.mirrors.halFor(0).chunk(r.spore.hash, 0, 1), null);
  r.mirrors.install(r.spore, 2);
  const before = r.mirrors.chunksIn;
  const again = fetchOn(r, 0, [2]);
  t.true(again?.ok);
  t.is(r.mirrors.chunksIn - before, r.spore.chunks - kept, 'only the missing chunks were fetched');
  t.is(r.mirrors.figures(r.spore).failedFetches, 1);
});

test('property: over seeds, losses and holder deaths, a fetch ends with the whole module or a clear failure', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 0.05, 0.2), fc.array(fc.integer({ min: 1, max: 45 }), { minLength: 3, maxLength: 3 }),
      async (seed, loss, killAt) => {
        const r = await rig(8, seed, loss);
        for (const h of [1, 2, 3]) r.mirrors.install(r.spore, h);
        killAt.forEach((k, j) => r.killAfter.set(j + 1, k));
        const out = fetchOn(r, 0, [1, 2, 3]);
        if (out === null) return r.mirrors.fetching(0) && !r.mirrors.holds(r.spore, 0);
        const n = r.mirrors.heldChunks(r.spore, 0).length;
        if (out.ok) return n === r.spore.chunks && r.mirrors.holds(r.spore, 0);
        return out.status !== FETCH_OK && !r.mirrors.holds(r.spore, 0) && r.mirrors.halFor(0).chunk(r.spore.hash, 0, 1) === null;
      },
    ),
    { numRuns: 12, seed: 0x5907e },
  );
  t.pass();
});

test('mitosis: no sibling hosts before its last chunk arrived; fetch figures are counted and deterministic', async (t) => {
  const chunksOf = new Map<string, number>();
  const atHosting: Array<{ k: string; tMs: number; chunks: number }> = [];
  const opts = {
    kernelWasm: kernelWasm(), nodes: 60, seed: 3, scenario: 'load-step', duration: 200, clients: 30,
    trace: (e: { kind: 'chunk' | 'hosting'; controller: string; node: number; tMs: number }) => {
      const k = `${e.controller}:${e.node}`;
      if (e.kind === 'chunk') chunksOf.set(k, (chunksOf.get(k) ?? 0) + 1);
      else atHosting.push({ k, tMs: e.tMs, chunks: chunksOf.get(k) ?? 0 });
    },
  };
  const r = await runMitosis(opts);
  t.true(r.cell.kernel.spawns > 0, 'the load step made the kernels divide');
  const n = Math.ceil(r.cell.spores.moduleBytes / 1024);
  t.true(atHosting.length > 0);
  t.deepEqual(atHosting.filter((h) => h.chunks < n), [], `a sibling hosted before its ${n} chunks were in`);
  for (const c of [r.cell, r.hpa]) {
    t.true(c.spores.fetches > 0 && c.spores.fetchesDone > 0, JSON.stringify(c.spores));
    t.true(c.spores.chunks >= c.spores.fetchesDone * n, 'every finished fetch stored every chunk');
    t.true(c.spores.fetchMsP50! > 0 && c.spores.fetchMsP99! >= c.spores.fetchMsP50!);
    // The first min_replicas were installed; every other holder fetched it once, and serves it.
    t.is(c.spores.mirrors, r.biology.minReplicas + c.spores.fetchesDone);
  }
  const again = await runMitosis({ ...opts, trace: undefined });
  t.deepEqual(again.cell.spores, r.cell.spores);
  t.deepEqual(again.hpa.spores, r.hpa.spores);
  t.deepEqual(again.cell.series, r.cell.series);
});

test('mitosis under churn: every fetch is accounted for, no sibling hosts before its last chunk', async (t) => {
  const chunksOf = new Map<string, number>();
  const atHosting: Array<{ k: string; chunks: number }> = [];
  const r = await runMitosis({
    kernelWasm: kernelWasm(), nodes: 60, seed: 5, scenario: 'load-step', duration: 200, clients: 30,
    chaos: { churn: { perMinute: 0.1, meanDownS: 20 } },
    trace: (e) => {
      const k = `${e.controller}:${e.node}`;
      if (e.kind === 'chunk') chunksOf.set(k, (chunksOf.get(k) ?? 0) + 1);
      else atHosting.push({ k, chunks: chunksOf.get(k) ?? 0 });
    },
  });
  const n = Math.ceil(r.cell.spores.moduleBytes / 1024);
  for (const c of [r.cell, r.hpa]) {
    const s = c.spores;
    t.true(s.fetches > 0, JSON.stringify(s));
    t.is(s.fetchesDone + s.failedFetches + s.unfinished, s.fetches, JSON.stringify(s));
    t.log(c.source.split(':')[0], JSON.stringify(s));
  }
  t.deepEqual(atHosting.filter((h) => h.chunks < n), []);
});
