// The run vectors (test/vectors/spore-run.json; docs/wire.md, Spores; docs/spores.md, Chunks):
// the host's chunkRun, an independent walk over raw SHA-256, and the host kernel on the wire all
// give exactly the vectors' bytes.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { chunkRun, chunkTree } from '../host/spore/chunk-tree.ts';
import { encodeCbor } from '../host/wire/cbor.ts';
import { decodeHeader, MsgType } from '../host/wire/header.ts';
import { KernelInstance, type KernelHal } from '../host/runtime/kernel-instance.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { newIdentity } from '../host/identity/node-identity.ts';

interface Run { index: number; count: number; chunks: number; level: number; bytes: number; proof: string; get: string; data?: string; dataSha256?: string }
const v = JSON.parse(readFileSync(new URL('./vectors/spore-run.json', import.meta.url), 'utf8')) as { size: number; hash: string; root: string; runs: Run[] };
const module = Uint8Array.from({ length: v.size }, (_, i) => (i * 31 + 7 + (i >> 10)) & 255);
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

test('spore run vectors: chunkRun and the CBOR payloads give the vectors byte for byte', (t) => {
  t.is(hex(sha(module)), v.hash);
  const levels = chunkTree(module);
  for (const r of v.runs) {
    const got = chunkRun(module, levels, r.index, r.count);
    t.is(got.chunk.length, r.bytes, `run ${r.index}/${r.count}`);
    t.is(hex(got.proof), r.proof, `run ${r.index}/${r.count}`);
    const hash = Buffer.from(v.hash, 'hex');
    t.is(hex(encodeCbor(r.count === 1 ? [hash, r.index] : [hash, r.index, r.count])), r.get);
    const data = encodeCbor([hash, r.index, got.chunk, got.proof]);
    if (r.data) t.is(hex(data), r.data);
    else t.is(hex(sha(data)), r.dataSha256 ?? "(no digest in the vector)");
  }
});

test('spore run vectors: an independent walk over raw SHA-256 takes every run and its proof to the root', (t) => {
  const n = Math.ceil(v.size / 1024);
  for (const r of v.runs) {
    // Leaves, then pairs up (an odd last node promoted) to the run's node at its level.
    let level: Uint8Array[] = [];
    for (let i = r.index; i < r.index + r.chunks; i++) level.push(sha(Uint8Array.of(0), module.subarray(i * 1024, Math.min(v.size, (i + 1) * 1024))));
    while (level.length > 1) {
      const up: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) up.push(sha(Uint8Array.of(1), level[i]!, level[i + 1]!));
      if (level.length % 2) up.push(level[level.length - 1]!);
      level = up;
    }
    let node = level[0]!;
    let idx = r.index >> r.level;
    let width = Math.ceil(n / 2 ** r.level);
    const proof = Buffer.from(r.proof, 'hex');
    let at = 0;
    for (; width > 1; width = Math.ceil(width / 2), idx >>= 1) {
      if (idx === width - 1 && width % 2 === 1) continue;
      const sib = proof.subarray(at, at + 32);
      at += 32;
      node = idx % 2 ? sha(Uint8Array.of(1), sib, node) : sha(Uint8Array.of(1), node, sib);
    }
    t.is(at, proof.length, `run ${r.index}/${r.count}`);
    t.is(hex(node), v.root, `run ${r.index}/${r.count}`);
  }
});

test('spore run vectors: a host kernel with sporeRun 4 asks for and verifies the run at 8 exactly as the vector writes it', async (t) => {
  const kernel = await KernelInstance.compile(readFileSync('build/kernel.host.wasm'));
  const queue: Uint8Array[] = [];
  const frames: Uint8Array[] = [];
  const nodes = await Promise.all([8, 4].map(async (run) => {
    const identity = await newIdentity();
    const bytes = new SporeBytes();
    const hal: KernelHal = { send: (f) => queue.push(f.slice()), now: () => 0, random: () => 4, cellCall: () => -1, deliver: () => {}, spores: bytes, identity };
    const k = KernelInstance.instantiate(kernel, hal);
    k.configure('sporeRun', run);
    k.configure('probeIntervalMs', 0);
    k.configure('announceIntervalMs', 0);
    k.init(identity.nodeId, 0);
    bytes.attach(k);
    return { id: identity.nodeId, k, bytes };
  }));
  const [holder, fetcher] = nodes as [typeof nodes[0], typeof nodes[0]];
  const flush = () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      frames.push(f);
      const dst = decodeHeader(f).dst;
      for (const n of nodes) if (n.id === dst) n.k.onFrame(f);
    }
  };
  holder.bytes.serve(module);
  holder.k.hello(fetcher.id);
  flush();
  const root = Buffer.from(v.root, 'hex');
  const got = fetcher.bytes.fetch({ species: 7, hash: Buffer.from(v.hash, 'hex'), root, size: v.size, hints: [holder.id] });
  flush();
  t.true(Buffer.from(await got).equals(Buffer.from(module)));
  const data = frames.filter((f) => f[2] === MsgType.SPORE_DATA).map((f) => Buffer.from(f));
  t.is(data.length, 4); // runs of 4 at 0, 4, 8 and the last chunk at 12
  const at8 = v.runs.find((r) => r.index === 8 && r.count === 4)!;
  t.true(data.some((f) => f.indexOf(Buffer.from(at8.data!, 'hex')) === 20), 'the SPORE_DATA for chunks 8..11 carries the vector payload after its header');
  const get8 = frames.filter((f) => f[2] === MsgType.SPORE_GET).map((f) => Buffer.from(f)).filter((f) => f.indexOf(Buffer.from(at8.get, 'hex')) === 20);
  t.is(get8.length, 1);
  t.is(fetcher.k.stat('sporeChunksRx'), 13);
});
