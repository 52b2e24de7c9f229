// spore.spawnToServeMs (issue #13): from hal.spawn on the spawner to the first call answered by
// the new replica, two nodes over authenticated loopback UDP in this process, p50 over 20 spawns,
// each to a fresh empty node; beside it, the plain fetch of the same spore by another fresh node
// in the same run (the part of a spawn that is transfer, not offer, checks, verify and start-up).
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { SpawnHost } from '../host/runtime/spawn-host.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { TrustStore } from '../host/spore/trust.ts';
import { generateAuthorityKey } from '../host/spore/authority-key.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { decodeSporeFile } from '../host/spore/spore-file.ts';
import { inspectWasm } from '../host/build/inspect.ts';
import { kernelPath } from '../host/build/paths.ts';
import { encodeCall } from '../host/sdk/call-codec.ts';
import { sha256 } from '../host/identity/sha256.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import type { CellSchema } from '../host/sdk/schema.ts';
import { readFile } from 'node:fs/promises';

export interface SpawnBenchResult {
  spawns: number;
  spawnToServeMs: number;
  baseline: { fetchMs: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchSpawn(opts: { spawns?: number } = {}): Promise<SpawnBenchResult> {
  const rounds = opts.spawns ?? 20;
  const kernelWasm = new Uint8Array(await readFile(kernelPath('host')));
  const module = new Uint8Array(await readFile('build/cells/exchange.wasm'));
  const schema = inspectWasm(module).schema as CellSchema;
  const key = generateAuthorityKey();
  const now = Math.floor(Date.now() / 1000);
  const parts = decodeSporeFile(signSpore({ module, schema, biology: { min_replicas: 1, max_replicas: 64, cpu_target: 0.6 }, limits: { in_bytes: 1024, out_bytes: 2028 } },
    { key, issuedAt: now - 10, expiresAt: now + 3600, revision: 1 }));
  const trust = () => new TrustStore({ authorities: [key.publicKey] });
  const make = async (seeds: Array<{ address: string; port: number }>) => {
    const id = await newIdentity();
    const udp = await UdpTransport.open({ host: '127.0.0.1', port: 0, multicast: false, seeds });
    const spawned: Array<() => void> = [];
    const spawns = new SpawnHost({ trust: trust(), cache: null });
    const node = await CellNode.create({
      nodeId: id.nodeId, identity: id, kernelWasm, transports: [udp], spores: new SporeBytes(), spawns,
      config: { probeIntervalMs: 0, announceIntervalMs: 0 },
      onSpawned: (_src, r) => { if ('cell' in r) spawned.splice(0).forEach((f) => f()); else throw new Error(`bench spawn: ${JSON.stringify(r)}`); },
    });
    return { node, udp, spawns, spawned };
  };
  const a = await make([]);
  const cell = await a.node.host(parts.module);
  a.spawns.remember(cell.speciesId, parts);
  const seedA = [{ address: '127.0.0.1', port: a.udp.address.port }];
  const book = encodeCall(schema, 'book', ['BTC']);
  const times: number[] = [];
  const fetches: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const b = await make(seedA);
      const c = await make(seedA);
      try {
        await b.node.handshake(a.node.nodeId);
        await c.node.handshake(a.node.nodeId);
        // One offer a second per target: fresh targets, so no round waits on another.
        const up = new Promise<void>((r) => b.spawned.push(r));
        const t0 = performance.now();
        if (a.node.spawnTo(cell.speciesId, b.node.nodeId) !== 0) throw new Error('no offer went out');
        await up;
        const answer = await a.node.call(cell.speciesId, book, b.node.nodeId);
        if (answer.kind !== 'reply' || answer.src !== b.node.nodeId) throw new Error('the first call was not served by the new replica');
        times.push(performance.now() - t0);
        const t1 = performance.now();
        await c.node.fetchSpore({ species: cell.speciesId, hash: sha256(parts.module), root: chunkRoot(parts.module), size: parts.module.length, hints: [a.node.nodeId] });
        fetches.push(performance.now() - t1);
      } finally {
        await Promise.all([b.node.close(), c.node.close()]);
      }
    }
  } finally {
    await a.node.close();
  }
  return { spawns: rounds, spawnToServeMs: median(times), baseline: { fetchMs: median(fetches) } };
}
