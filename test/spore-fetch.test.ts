// The spore transfer through the built kernel (docs/spores.md, Transfer): kernels in-process on a
// fake transport, each with its host's SporeBytes; every decision is the kernel's.
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { KernelInstance, type KernelHal } from '../host/runtime/kernel-instance.ts';
import { SporeBytes, SporeFetchError } from '../host/runtime/spore-bytes.ts';
import { chunkRoot, chunkTree, chunkProof, chunkOf } from '../host/spore/chunk-tree.ts';
import { decodeHeader, encodeFrame, MsgType, BROADCAST } from '../host/wire/header.ts';
import { decodeCbor, encodeCbor } from '../host/wire/cbor.ts';
import { SPORE_NOT_HELD, SPORE_UNPADDED, SPORE_MAX_RUN } from '../host/wire/protocol-table.ts';
import { newIdentity, type NodeIdentity } from '../host/identity/node-identity.ts';

const kernelModule = KernelInstance.compile(readFileSync('build/kernel.wasm'));
// The host build: a frame buffer for runs of up to SPORE_MAX_RUN chunks (the mcu build above asks and serves one).
const hostKernelModule = KernelInstance.compile(readFileSync('build/kernel.host.wasm'));
const kernelModuleSync = new WebAssembly.Module(readFileSync('build/kernel.wasm'));
const SPECIES = 0x5eed0001;

interface Node {
  id: number;
  k: KernelInstance;
  bytes: SporeBytes;
}

/** A mesh of kernels: frames queue and are delivered in order (never re-entering a kernel); `drop` loses some. */
class Mesh {
  readonly nodes = new Map<number, Node>();
  readonly clock = { now: 0 };
  private queue: Uint8Array[] = [];
  drop: (src: number, dst: number, frame: Uint8Array) => boolean = () => false;
  private seed = 7;

  /** `run`: the node runs the host kernel with this sporeRun; without it, the mcu kernel (runs of one chunk). */
  async add(id: number, bytes = new SporeBytes(), run?: number): Promise<Node> {
    return this.addNode(id, bytes, run);
  }

  /**
   * A node with an ed25519 identity, running the host kernel with sporeRun `run` (undefined: the
   * mcu kernel): its frames to nodes it has a session with are authenticated, so its requests may
   * ask for runs (a bare one is one chunk: the 3x rule). Its id is its key's; open sessions with `handshake`.
   */
  async addKeyed(run: number | undefined, bytes = new SporeBytes()): Promise<Node> {
    const identity = await newIdentity();
    return this.addNode(identity.nodeId, bytes, run, identity);
  }

  /** Sessions between every pair of keyed nodes. */
  handshake(): void {
    for (const a of this.nodes.values()) for (const b of this.nodes.values()) if (a.id < b.id) a.k.hello(b.id);
    this.flush();
  }

  private async addNode(id: number, bytes: SporeBytes, run?: number, identity?: NodeIdentity): Promise<Node> {
    const hal: KernelHal = {
      send: (f) => this.queue.push(f.slice()),
      now: () => this.clock.now,
      random: () => (this.seed = (this.seed * 1103515245 + 12345) >>> 0),
      cellCall: () => -1,
      deliver: () => {},
      spores: bytes,
      identity,
    };
    const k = KernelInstance.instantiate(await (run === undefined ? kernelModule : hostKernelModule), hal);
    if (run !== undefined) k.configure('sporeRun', run);
    k.configure('probeIntervalMs', 0);
    k.configure('announceIntervalMs', 0);
    k.init(id, 0);
    bytes.attach(k);
    const n = { id, k, bytes };
    this.nodes.set(id, n);
    return n;
  }

  /** Delivers every queued frame (and those they cause) without moving the clock. */
  flush(): void {
    for (let f = this.queue.shift(); f; f = this.queue.shift()) {
      this.deliver(f);
    }
  }

  private deliver(f: Uint8Array): void {
    const h = decodeHeader(f);
    for (const to of this.nodes.values()) {
      if ((to.id === h.dst || (h.dst === BROADCAST && to.id !== h.src)) && !this.drop(h.src, to.id, f)) to.k.onFrame(f);
    }
  }

  /** Delivers frames and advances time to the next kernel deadline until `until` settles (or 10 virtual minutes pass). */
  async run<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    p.then(() => (settled = true), () => (settled = true));
    for (let steps = 0; steps < 1_000_000 && this.clock.now < 600_000; steps++) {
      await Promise.resolve();
      if (settled) break;
      const f = this.queue.shift();
      if (f) {
        this.deliver(f);
        continue;
      }
      let wake = Infinity;
      for (const n of this.nodes.values()) wake = Math.min(wake, n.k.nextWake);
      if (!Number.isFinite(wake)) break;
      this.clock.now = Math.max(this.clock.now, wake);
      for (const n of this.nodes.values()) n.k.tick(this.clock.now);
    }
    return p;
  }
}

function moduleOf(size: number, salt = 0): Uint8Array {
  const m = new Uint8Array(size);
  for (let i = 0; i < size; i++) m[i] = (i * 31 + 7 + salt * 13 + (i >> 10)) & 255;
  return m;
}

function requestFor(module: Uint8Array, hints: number[]) {
  return {
    species: SPECIES,
    hash: new Uint8Array(createHash('sha256').update(module).digest()),
    root: chunkRoot(module),
    size: module.length,
    hints,
  };
}

/** Holders 1 and 3 serve the same module; node 2 is to fetch it. */
async function twoHolders(size: number, salt: number) {
  const mesh = new Mesh();
  const first = await mesh.add(1);
  const second = await mesh.add(3);
  const b = await mesh.add(2);
  const m = moduleOf(size, salt);
  first.bytes.serve(m);
  second.bytes.serve(m);
  return { mesh, first, second, b, m };
}

/** The node serves its chunks with byte `at` flipped (short last chunks: their first byte), proofs unchanged. */
function serveGarbage(node: Node, at: number): void {
  const real = node.bytes.chunk.bind(node.bytes);
  node.bytes.chunk = (h, i, count = 1) => {
    const c = real(h, i, count);
    if (!c) return null;
    const chunk = c.chunk.slice();
    chunk[Math.min(at, chunk.length - 1)]! ^= 0xff;
    return { chunk, proof: c.proof };
  };
}

for (const size of [14 * 1024, 1024 * 1024]) {
  test(`a ${size}-byte module travels byte-exact between two kernels`, async (t) => {
    const mesh = new Mesh();
    const a = await mesh.add(1);
    const b = await mesh.add(2);
    const m = moduleOf(size);
    a.bytes.serve(m);
    const got = await mesh.run(b.bytes.fetch(requestFor(m, [1])));
    t.true(Buffer.from(got).equals(Buffer.from(m)));
    const chunks = Math.ceil(size / 1024);
    t.is(b.k.stat('sporeChunksRx'), chunks);
    t.is(a.k.stat('sporeChunksServed'), chunks);
    t.is(b.k.stat('sporeFetchesDone'), 1);
    // Every node is a mirror: b now serves it.
    t.truthy(b.bytes.module(requestFor(m, []).hash));
  });
}

test('the kernel verifies the chunk-tree vectors: a holder serving them completes every fetch', async (t) => {
  const vectors = JSON.parse(readFileSync('test/vectors/chunk-tree.json', 'utf8')) as { cases: Array<{ size: number; root: string; proofs: string[] }> };
  for (const c of vectors.cases) {
    const m = new Uint8Array(c.size);
    for (let i = 0; i < c.size; i++) m[i] = (i * 31 + 7) & 255;
    const mesh = new Mesh();
    const a = await mesh.add(1);
    const b = await mesh.add(2);
    const hash = new Uint8Array(createHash('sha256').update(m).digest());
    // The holder answers with the vector's proofs, not ones computed here.
    a.bytes.chunk = (h, i) => (Buffer.from(h).equals(Buffer.from(hash)) && i < c.proofs.length ? { chunk: chunkOf(m, i), proof: Buffer.from(c.proofs[i]!, 'hex') } : null);
    const got = await mesh.run(b.bytes.fetch({ species: SPECIES, hash, root: Buffer.from(c.root, 'hex'), size: c.size, hints: [1] }));
    t.true(Buffer.from(got).equals(Buffer.from(m)), `size ${c.size}`);
    t.is(b.k.stat('sporeBadChunks'), 0);
  }
});

test('a holder serving garbage is demoted and counted; the fetch completes from another holder', async (t) => {
  const { mesh, first: bad, second: good, b, m } = await twoHolders(20 * 1024, 1);
  serveGarbage(bad, 5);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [1, 3])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.true(b.k.stat('sporeBadChunks') >= 1);
  t.is(b.k.stat('sporeHoldersDemoted'), 1);
  t.true(good.k.stat('sporeChunksServed') >= 20 - b.k.stat('sporeBadChunks') - 8);
});

test('a holder that stops answering: the fetch times out on it and fails over', async (t) => {
  const { mesh, b, m } = await twoHolders(30 * 1024, 2);
  let servedByDead = 0;
  mesh.drop = (src) => src === 1 && ++servedByDead > 5;
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [1, 3])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.true(b.k.stat('sporeTimeouts') >= 3);
  t.is(b.k.stat('sporeHoldersDemoted'), 1);
});

test('NOT_HELD moves on at once; with no holder left the fetch fails with a reason and hands nothing over', async (t) => {
  const mesh = new Mesh();
  const empty = await mesh.add(1);
  const b = await mesh.add(2);
  const m = moduleOf(3000, 3);
  const err = await t.throwsAsync(mesh.run(b.bytes.fetch(requestFor(m, [1]))), { instanceOf: SporeFetchError });
  t.regex(err!.message, /no holder left/);
  t.is(empty.k.stat('sporeRefusedNotHeld'), 3); // the window: 3 chunks asked at once
  t.is(b.k.stat('sporeFetchesFailed'), 1);
  t.is(b.k.stat('sporeTimeouts'), 0);
  t.is(b.bytes.module(requestFor(m, []).hash), null);
});

test('a fetch cut off resumes from the chunks it has', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1);
  const b = await mesh.add(2);
  const m = moduleOf(40 * 1024, 4);
  a.bytes.serve(m);
  // The holder answers 25 chunks, then goes silent: the first fetch fails with 25 chunks held.
  let answered = 0;
  mesh.drop = (src) => src === 1 && ++answered > 25;
  await t.throwsAsync(mesh.run(b.bytes.fetch(requestFor(m, [1]))), { instanceOf: SporeFetchError });
  const before = a.k.stat('sporeChunksServed');
  mesh.drop = () => false;
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [1])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(a.k.stat('sporeChunksServed') - before, 40 - 25);
});

test('a holder announcing the species is found without a hint', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1);
  const b = await mesh.add(2);
  a.k.host(0, SPECIES);
  a.k.configure('announceIntervalMs', 1000);
  b.k.addPeer(1);
  a.k.addPeer(2);
  const m = moduleOf(5000, 5);
  a.bytes.serve(m);
  // Let an announcement arrive, then fetch with no hint.
  mesh.clock.now = 2000;
  a.k.tick(2000);
  mesh.flush();
  a.k.configure('announceIntervalMs', 0);
  t.is(b.k.stat('announcesRx'), 1);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
});

test('a spore held only in a cache (announced by nobody) is found on request: the host kernel asks the peers it knows; non-holders refuse NOT_HELD', async (t) => {
  const mesh = new Mesh();
  const b = await mesh.add(2, new SporeBytes(), SPORE_MAX_RUN);
  const others = [await mesh.add(5, new SporeBytes(), SPORE_MAX_RUN), await mesh.add(6, new SporeBytes(), SPORE_MAX_RUN)];
  const holder = await mesh.add(7, new SporeBytes(), SPORE_MAX_RUN);
  const m = moduleOf(9000, 8);
  holder.bytes.serve(m); // held (fetched once, say), hosted by nobody, so in no pheromone
  for (const n of [...others, holder]) b.k.addPeer(n.id);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(holder.k.stat('sporeChunksServed'), 9);
  const refusals = others.map((n) => n.k.stat('sporeRefusedNotHeld'));
  t.is(b.k.stat('sporeHoldersDemoted'), refusals.filter((r) => r > 0).length, 'each non-holder asked is given up on once');
  t.is(b.k.stat('sporeTimeouts'), 0);
});

test('asking on request is bounded: with none of 12 peers holding the module, 8 are asked and the fetch fails with no holder; a board\'s kernel asks none', async (t) => {
  const mesh = new Mesh();
  const b = await mesh.add(2, new SporeBytes(), SPORE_MAX_RUN);
  const board = await mesh.add(3);
  const peers: Node[] = [];
  for (let id = 10; id < 22; id++) peers.push(await mesh.add(id, new SporeBytes(), SPORE_MAX_RUN));
  for (const n of peers) {
    b.k.addPeer(n.id);
    board.k.addPeer(n.id);
  }
  const m = moduleOf(4000, 9);
  const err = await t.throwsAsync(mesh.run(b.bytes.fetch(requestFor(m, []))), { instanceOf: SporeFetchError });
  t.regex(err!.message, /no holder left/);
  t.is(peers.filter((n) => n.k.stat('sporeRefusedNotHeld') > 0).length, 8);
  t.is(b.k.stat('sporeHoldersDemoted'), 8);
  // The mcu kernel fetches from the nodes it is told of: with no hint, it fails at once, asking nobody.
  const before = peers.map((n) => n.k.stat('sporeRefusedNotHeld'));
  await t.throwsAsync(mesh.run(board.bytes.fetch(requestFor(m, []))), { instanceOf: SporeFetchError });
  t.deepEqual(peers.map((n) => n.k.stat('sporeRefusedNotHeld')), before);
});

test('amplification: an unpadded unauthenticated GET gets a small refusal; the kernel pads its own', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1);
  const m = moduleOf(4096, 6);
  const hash = a.bytes.serve(m);
  const sent: Uint8Array[] = [];
  const real = mesh.nodes.get(1)!;
  // A bare GET straight into the kernel (open mode: no identity).
  const get = encodeFrame({ type: MsgType.SPORE_GET, flags: 0, src: 9, dst: 1, species: SPECIES, seq: 4 }, encodeCbor([hash, 0]));
  const spy = mesh as unknown as { queue: Uint8Array[] };
  real.k.onFrame(get);
  sent.push(...spy.queue.splice(0));
  t.is(sent.length, 1);
  const answer = decodeCbor(sent[0]!.subarray(20)) as unknown[];
  t.is(answer.length, 3);
  t.is(answer[2], SPORE_UNPADDED);
  t.true(sent[0]!.length <= 3 * get.length);
  t.is(a.k.stat('sporeRefusedUnpadded'), 1);
  // Padded as the kernel pads: the chunk is served, at most 3x the request.
  const padded = encodeFrame({ type: MsgType.SPORE_GET, flags: 0, src: 9, dst: 1, species: SPECIES, seq: 5 }, encodeCbor([hash, 0, new Uint8Array(440)]));
  real.k.onFrame(padded);
  const data = spy.queue.splice(0);
  t.is(data.length, 1);
  t.true(data[0]!.length <= 3 * padded.length);
  const d = decodeCbor(data[0]!.subarray(20)) as unknown[];
  t.is(d.length, 4);
  t.true(Buffer.from(d[2] as Uint8Array).equals(Buffer.from(chunkOf(m, 0))));
  t.true(Buffer.from(d[3] as Uint8Array).equals(Buffer.from(chunkProof(chunkTree(m), 0))));
  // An unknown module: NOT_HELD.
  real.k.onFrame(encodeFrame({ type: MsgType.SPORE_GET, flags: 0, src: 9, dst: 1, species: SPECIES, seq: 6 }, encodeCbor([new Uint8Array(32), 0, new Uint8Array(440)])));
  t.is((decodeCbor(spy.queue.splice(0)[0]!.subarray(20)) as unknown[])[2], SPORE_NOT_HELD);
});

test('the serve rate caps chunks per second, shared equally among requesters; more are refused BUSY and every fetch still completes', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1);
  a.k.configure('sporeServeRate', 6);
  const m = moduleOf(12 * 1024, 7);
  a.bytes.serve(m);
  // One requester alone gets the whole rate: refused only by the node's bucket.
  const b = await mesh.add(2);
  t.true(Buffer.from(await mesh.run(b.bytes.fetch(requestFor(m, [1])))).equals(Buffer.from(m)));
  t.true(a.k.stat('sporeRefusedBusy') > 0);
  t.is(a.k.stat('sporeRefusedShare'), 0);
  // Three at once: each is held to a third, so none starves (a holder answering only BUSY 64 times
  // in a row would be given up on), and every fetch completes.
  const m2 = moduleOf(12 * 1024, 8);
  a.bytes.serve(m2);
  const others = [await mesh.add(3), await mesh.add(4), await mesh.add(5)];
  const got = await mesh.run(Promise.all(others.map((n) => n.bytes.fetch(requestFor(m2, [1])))));
  for (const g of got) t.true(Buffer.from(g).equals(Buffer.from(m2)));
  t.true(a.k.stat('sporeRefusedShare') > 0);
  t.is(a.k.stat('sporeChunksServed'), 48);
  t.is(a.k.stat('sporeHoldersDemoted'), 0);
  for (const n of others) t.is(n.k.stat('sporeHoldersDemoted'), 0);
  // Four requesters have rows in the table of 8; none was replaced.
  t.deepEqual(a.k.tables().sporeRequesters, { rows: 4, cap: 8, givenUp: 0 });
});

test('property: served chunks never outrun the node bucket (rate a second, a burst of as many); the requester table stays within its cap', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }),
      fc.array(fc.record({ from: fc.integer({ min: 2, max: 13 }), dt: fc.integer({ min: 0, max: 400 }) }), { minLength: 1, maxLength: 300 }),
      (rate, asks) => {
        const sent: Uint8Array[] = [];
        const clock = { now: 1000 };
        const bytes = new SporeBytes();
        const k = KernelInstance.instantiate(kernelModuleSync, {
          send: (f) => sent.push(f.slice()), now: () => clock.now, random: () => 4, cellCall: () => -1, deliver: () => {}, spores: bytes,
        });
        k.configure('probeIntervalMs', 0);
        k.configure('announceIntervalMs', 0);
        k.configure('sporeServeRate', rate);
        k.init(1, 0);
        const m = moduleOf(2048, 3);
        const hash = bytes.serve(m);
        const served = new Map<number, number>();
        let seq = 1;
        for (const a of asks) {
          clock.now += a.dt;
          sent.length = 0;
          k.onFrame(encodeFrame({ type: MsgType.SPORE_GET, flags: 0, src: a.from, dst: 1, species: SPECIES, seq: seq++ }, encodeCbor([hash, 0, new Uint8Array(440)])));
          const answer = decodeCbor(sent[0]!.subarray(20)) as unknown[];
          if (answer.length === 4) served.set(a.from, (served.get(a.from) ?? 0) + 1);
        }
        const seconds = (clock.now - 1000) / 1000;
        const table = k.tables().sporeRequesters;
        let total = 0;
        for (const [, n] of served) total += n;
        return table.rows <= table.cap && total <= rate + rate * seconds + 1e-9 && total === k.stat('sporeChunksServed');
      },
    ),
  );
  t.pass();
});

/**
 * Fetches `m` into `b` from `ids` while every frame to it follows `plan` in turn (ok, drop, dup,
 * late: held back and delivered out of order): true if the result is the exact module with a
 * chunk count `rxOk` accepts, or a SporeFetchError with nothing of the module kept.
 */
async function fetchUnderPlan(mesh: Mesh, b: Node, m: Uint8Array, ids: number[], plan: string[], rxOk: (rx: number) => boolean): Promise<boolean> {
  let step = 0;
  const held: Uint8Array[] = [];
  mesh.drop = (src, _dst, f) => {
    if (src === b.id) return false;
    const what = plan[step++ % plan.length];
    // A frame held back earlier arrives now, out of order.
    if (held.length > 0 && step % 3 === 0) b.k.onFrame(held.shift()!);
    if (what === 'dup') b.k.onFrame(f);
    if (what === 'late') held.push(f);
    return what === 'drop' || what === 'late';
  };
  try {
    const got = await mesh.run(b.bytes.fetch(requestFor(m, ids)));
    return Buffer.from(got).equals(Buffer.from(m)) && rxOk(b.k.stat('sporeChunksRx'));
  } catch (e) {
    return e instanceof SporeFetchError && b.bytes.module(requestFor(m, []).hash) === null;
  }
}

test('property: any losses, duplicates, reordering and holder failures give the exact module or a clear failure', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 12 * 1024 }),
      fc.array(fc.constantFrom('ok', 'drop', 'dup', 'garbage', 'late'), { minLength: 1, maxLength: 64 }),
      fc.integer({ min: 1, max: 3 }),
      async (size, plan, holders) => {
        const mesh = new Mesh();
        const b = await mesh.add(100);
        const m = moduleOf(size, size);
        const ids: number[] = [];
        for (let h = 1; h <= holders; h++) {
          const n = await mesh.add(h);
          n.bytes.serve(m);
          ids.push(h);
          if (h === 1 && plan.includes('garbage')) serveGarbage(n, 0);
        }
        return fetchUnderPlan(mesh, b, m, ids, plan, (rx) => rx <= Math.ceil(size / 1024));
      },
    ),
    { numRuns: 60 },
  );
  t.pass();
});

test('two requests for one module share one kernel fetch', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1);
  const b = await mesh.add(2);
  const m = moduleOf(9000, 8);
  a.bytes.serve(m);
  const [x, y] = await mesh.run(Promise.all([b.bytes.fetch(requestFor(m, [1])), b.bytes.fetch(requestFor(m, [1]))]));
  t.true(Buffer.from(x).equals(Buffer.from(m)));
  t.is(x, y);
  t.is(a.k.stat('sporeChunksServed'), 9);
});

// Runs (docs/spores.md, Transfer): a host kernel with a session asks for up to sporeRun chunks a
// request and checks each run against its subtree's proof.

/** Counts the SPORE_DATA frames the mesh carries. */
function countData(mesh: Mesh): { frames: number } {
  const seen = { frames: 0 };
  mesh.drop = (_src, _dst, f) => {
    if (f[2] === MsgType.SPORE_DATA) seen.frames++;
    return false;
  };
  return seen;
}

for (const size of [14 * 1024 + 100, 1024 * 1024]) {
  test(`runs: a ${size}-byte module travels byte-exact in runs of ${SPORE_MAX_RUN} chunks between keyed host kernels`, async (t) => {
    const mesh = new Mesh();
    const a = await mesh.addKeyed(SPORE_MAX_RUN);
    const b = await mesh.addKeyed(SPORE_MAX_RUN);
    mesh.handshake();
    const data = countData(mesh);
    const m = moduleOf(size);
    a.bytes.serve(m);
    const got = await mesh.run(b.bytes.fetch(requestFor(m, [a.id])));
    t.true(Buffer.from(got).equals(Buffer.from(m)));
    const chunks = Math.ceil(size / 1024);
    t.is(b.k.stat('sporeChunksRx'), chunks);
    t.is(a.k.stat('sporeChunksServed'), chunks);
    t.is(data.frames, Math.ceil(chunks / SPORE_MAX_RUN));
    t.is(b.k.stat('sporeBadChunks'), 0);
  });
}

test('a holder with no session yet: the requests dropped while the handshake runs are asked again when its WELCOME arrives, not after their timeout', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.addKeyed(SPORE_MAX_RUN);
  const b = await mesh.addKeyed(SPORE_MAX_RUN); // no mesh.handshake(): b's first requests go nowhere
  const m = moduleOf(12 * 1024, 10);
  a.bytes.serve(m);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [a.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.true(b.k.stat('sentWithoutSession') >= 1, 'a request went out before the session');
  t.is(b.k.stat('sporeTimeouts'), 0);
  t.is(b.k.stat('sporeHoldersDemoted'), 0);
  t.is(mesh.clock.now, 0, 'no timer had to fire');
});

test('a window of requests lost together is one loss, not sporeAttempts of them: the only holder is kept and the fetch completes', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1, new SporeBytes(), SPORE_MAX_RUN);
  const b = await mesh.add(2, new SporeBytes(), SPORE_MAX_RUN); // open: single chunks, 8 in flight
  const m = moduleOf(20 * 1024, 11);
  a.bytes.serve(m);
  let lost = 0;
  mesh.drop = (src) => src === a.id && lost++ < 8; // the holder's first eight answers
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [a.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(lost, 28, 'eight answers lost, twenty delivered');
  t.is(b.k.stat('sporeTimeouts'), 1);
  t.is(b.k.stat('sporeHoldersDemoted'), 0);
});

test('runs: a holder whose sporeRun is smaller answers smaller runs, and the fetcher asks for the rest', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.addKeyed(4);
  const b = await mesh.addKeyed(SPORE_MAX_RUN);
  mesh.handshake();
  const data = countData(mesh);
  const m = moduleOf(100 * 1024 + 7);
  a.bytes.serve(m);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [a.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(data.frames, Math.ceil(101 / 4));
  t.is(b.k.stat('sporeChunksRx'), 101);
});

test('runs: a host kernel fetching from an mcu kernel (a board) gets one chunk a frame and the exact module', async (t) => {
  const mesh = new Mesh();
  const keyedBoard = await mesh.addKeyed(undefined);
  const b = await mesh.addKeyed(SPORE_MAX_RUN);
  mesh.handshake();
  const data = countData(mesh);
  const m = moduleOf(20 * 1024 + 3);
  keyedBoard.bytes.serve(m);
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [keyedBoard.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(data.frames, 21);
  t.is(b.k.stat('sporeBadChunks'), 0);
});

test('runs: a holder answering runs of the wrong shape (a byte short, or misaligned) is demoted and counted; the fetch completes from another holder', async (t) => {
  for (const wrong of ['short', 'misaligned'] as const) {
    const mesh = new Mesh();
    const bad = await mesh.addKeyed(8);
    const good = await mesh.addKeyed(8);
    const b = await mesh.addKeyed(8);
    mesh.handshake();
    const m = moduleOf(40 * 1024);
    bad.bytes.serve(m);
    good.bytes.serve(m);
    const real = bad.bytes.chunk.bind(bad.bytes);
    bad.bytes.chunk = (h, i, count = 1) => {
      if (wrong === 'misaligned') return real(h, i, count) && { chunk: m.subarray((i + 1) * 1024, (i + 1 + count) * 1024), proof: real(h, i, count)!.proof };
      const c = real(h, i, count);
      return c && { chunk: c.chunk.subarray(0, c.chunk.length - 1), proof: c.proof };
    };
    // The bad holder is the nearer: it is asked first.
    const got = await mesh.run(b.bytes.fetch(requestFor(m, [bad.id, good.id])));
    t.true(Buffer.from(got).equals(Buffer.from(m)), wrong);
    t.true(b.k.stat('sporeBadChunks') >= 1, wrong);
    t.is(b.k.stat('sporeHoldersDemoted'), 1, wrong);
    t.is(b.k.stat('sporeChunksRx'), 40, wrong);
  }
});

test('property: runs of any size on either side, with losses, duplicates, reordering and bad holders, give the exact module or a clear failure', async (t) => {
  const runArb = fc.constantFrom(1, 2, 4, 8, 16, 32);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 80 * 1024 }),
      fc.array(fc.constantFrom('ok', 'drop', 'dup', 'garbage', 'late'), { minLength: 1, maxLength: 64 }),
      fc.array(runArb, { minLength: 2, maxLength: 4 }),
      async (size, plan, runs) => {
        const mesh = new Mesh();
        const b = await mesh.addKeyed(runs[0]!);
        const m = moduleOf(size, size);
        const ids: number[] = [];
        for (const [h, run] of runs.slice(1).entries()) {
          const n = await mesh.addKeyed(run);
          n.bytes.serve(m);
          ids.push(n.id);
          if (h === 0 && plan.includes('garbage')) serveGarbage(n, 0);
        }
        mesh.handshake();
        return fetchUnderPlan(mesh, b, m, ids, plan, (rx) => rx === Math.ceil(size / 1024));
      },
    ),
    { numRuns: 40 },
  );
  t.pass();
});

test('hostile run requests: a count that is not a power of two, does not divide the index, or is huge is a counted BAD_PAYLOAD and answered with nothing; a bare run request is refused UNPADDED', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.add(1, new SporeBytes(), SPORE_MAX_RUN); // a host kernel, open (bare frames taken)
  const hash = a.bytes.serve(moduleOf(40 * 1024, 9));
  const spy = mesh as unknown as { queue: Uint8Array[] };
  const get = (payload: unknown[]) => encodeFrame({ type: MsgType.SPORE_GET, flags: 0, src: 9, dst: 1, species: SPECIES, seq: 4 }, encodeCbor(payload));
  const bad = [[hash, 3, 3], [hash, 6, 4], [hash, 0, 0], [hash, 0, 2 ** 31], [hash, 0, 2n ** 40n], [hash, 0, 4, new Uint8Array(400), 1]];
  for (const [i, p] of bad.entries()) {
    a.k.onFrame(get(p));
    t.is(a.k.stat('badPayload'), i + 1, `payload ${i}`);
  }
  t.is(a.k.stat('badPayload'), bad.length);
  t.is(spy.queue.splice(0).filter((f) => f[2] === MsgType.SPORE_DATA).length, 0);
  t.is(a.k.stat('sporeChunksServed'), 0);
  // A bare request for a run, padded as for one chunk: the answer would be over 3x the request.
  a.k.onFrame(get([hash, 0, 8, new Uint8Array(440)]));
  const refusal = decodeCbor(spy.queue.splice(0)[0]!.subarray(20)) as unknown[];
  t.is(refusal[2], SPORE_UNPADDED);
  t.is(a.k.stat('sporeChunksServed'), 0);
});

test('runs: a path that loses every frame over 4 chunks (a lossy LAN losing fragmented frames): a lost run drops the run to one chunk, it grows back to what passes, and the fetch completes from that holder', async (t) => {
  const mesh = new Mesh();
  const a = await mesh.addKeyed(SPORE_MAX_RUN);
  const b = await mesh.addKeyed(SPORE_MAX_RUN);
  mesh.handshake();
  const m = moduleOf(64 * 1024 + 9);
  a.bytes.serve(m);
  let largest = 0;
  mesh.drop = (_src, _dst, f) => {
    if (f[2] !== MsgType.SPORE_DATA) return false;
    if (f.length > 20 + 4 * 1024 + 600) return true;
    largest = Math.max(largest, f.length);
    return false;
  };
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [a.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.is(b.k.stat('sporeHoldersDemoted'), 0);
  t.true(b.k.stat('sporeTimeouts') >= 2);
  t.true(largest > 2 * 1024 + 600, `the run grew back to 4 chunks (largest frame ${largest} bytes)`);
});

test('runs: a holder that goes silent is still given up on (after its runs shrank to one chunk), and the fetch moves to the next', async (t) => {
  const mesh = new Mesh();
  const silent = await mesh.addKeyed(SPORE_MAX_RUN);
  const good = await mesh.addKeyed(SPORE_MAX_RUN);
  const b = await mesh.addKeyed(SPORE_MAX_RUN);
  mesh.handshake();
  const m = moduleOf(50 * 1024);
  silent.bytes.serve(m);
  good.bytes.serve(m);
  mesh.drop = (src, _dst, f) => src === silent.id && f[2] === MsgType.SPORE_DATA;
  // Only the silent one is hinted at first; the good one is found when it is hinted too.
  const got = await mesh.run(b.bytes.fetch(requestFor(m, [silent.id, good.id])));
  t.true(Buffer.from(got).equals(Buffer.from(m)));
  t.true(b.k.stat('sporeHoldersDemoted') >= 1 || silent.k.stat('sporeChunksServed') === 0);
});
