// A spore fetch between two real nodes (CellNode, as `cell run` builds them) over loopback UDP,
// authenticated: the fetched module is byte-exact and runs; a holder gone away is replaced by one
// found on request.
import test from 'ava';
import { sporeRunOf } from '../host/runtime/spore-run.ts';
import { spawn } from 'node:child_process';
import { cellBin, REPO } from '../bench/node-process.ts';
import { createHash } from 'node:crypto';
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { Exchange } from '../build/cells/exchange.client.ts';
import { kernelWasm, cellWasm } from './fixtures/built.ts';

async function udpNode(seeds: Array<{ address: string; port: number }>, wholeOnLoopback = true) {
  const id = await newIdentity();
  const udp = await UdpTransport.open({ port: 0, multicast: false, seeds, wholeOnLoopback });
  const spores = new SporeBytes();
  const node = await CellNode.create({
    nodeId: id.nodeId, identity: id, kernelWasm: kernelWasm(), transports: [udp], spores,
    config: { probeIntervalMs: 0, announceIntervalMs: 0 },
  });
  return { node, id, udp, spores };
}

const request = (module: Uint8Array, species: number, holder: number) => ({
  species,
  hash: new Uint8Array(createHash('sha256').update(module).digest()),
  root: chunkRoot(module),
  size: module.length,
  hints: [holder],
});

test('a cell (exchange.wasm, ~15 KB) and a 1 MiB module travel between two nodes over loopback UDP', async (t) => {
  const a = await udpNode([]);
  const b = await udpNode([{ address: '127.0.0.1', port: a.udp.address.port }]);
  try {
    await b.node.handshake(a.id.nodeId);
    const cell = cellWasm('exchange');
    const species = Exchange.speciesId;
    a.spores.serve(cell);
    const got = await b.node.fetchSpore(request(cell, species, a.id.nodeId));
    t.true(Buffer.from(got).equals(Buffer.from(cell)));
    // The fetched bytes run: b hosts the cell it fetched.
    const hosted = await b.node.host(got);
    t.is(hosted.speciesId, species);

    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >> 12)) & 255;
    a.spores.serve(big);
    const t0 = performance.now();
    const gotBig = await b.node.fetchSpore(request(big, 0x5eed0002, a.id.nodeId));
    const ms = performance.now() - t0;
    t.true(Buffer.from(gotBig).equals(Buffer.from(big)));
    const s = b.node.kernel.stats();
    t.is(s.sporeFetchesDone, 2);
    t.is(s.sporeBadChunks, 0);
    // Runs: UDP carries 32 chunks a frame, so the 1,024 + 15 chunks came in a few dozen frames, not a thousand.
    t.true(b.udp.stats.framesIn < 150, `${b.udp.stats.framesIn} frames in`);
    t.log(`1 MiB over loopback UDP (authenticated, runs of ${sporeRunOf([b.udp])}): ${ms.toFixed(0)} ms, ${(big.length / ms / 1000).toFixed(1)} MB/s, ${s.sporeTimeouts} timeouts, ${b.udp.stats.framesIn} frames in`);
  } finally {
    await a.node.close();
    await b.node.close();
  }
});

test('over loopback UDP: the spawner goes away mid-way, and the fetch finishes from a node that holds the spore only in its cache (found on request)', async (t) => {
  const a = await udpNode([]);
  const b = await udpNode([{ address: '127.0.0.1', port: a.udp.address.port }]);
  const c = await udpNode([{ address: '127.0.0.1', port: a.udp.address.port }, { address: '127.0.0.1', port: b.udp.address.port }]);
  let aClosed = false;
  try {
    const module = new Uint8Array(40 * 1024);
    for (let i = 0; i < module.length; i++) module[i] = (i * 37 + (i >> 10)) & 255;
    a.spores.serve(module);
    await b.node.handshake(a.id.nodeId);
    t.true(Buffer.from(await b.node.fetchSpore(request(module, 0x5eed0003, a.id.nodeId))).equals(Buffer.from(module)));
    // b holds the module (a mirror) and hosts nothing, so no pheromone names it. a, the only node
    // c is told of, is gone: c gives it up after its timeouts and asks the peers it knows.
    await a.node.close();
    aClosed = true;
    c.node.addPeer(b.id.nodeId);
    const got = await c.node.fetchSpore(request(module, 0x5eed0003, a.id.nodeId));
    t.true(Buffer.from(got).equals(Buffer.from(module)));
    const s = c.node.kernel.stats();
    t.is(s.sporeHoldersDemoted, 1, 'a, silent, given up on');
    t.true(s.sporeTimeouts >= 3);
    t.is(b.node.kernel.stats().sporeChunksServed, 40, 'every chunk came from b');
  } finally {
    if (!aClosed) await a.node.close();
    await b.node.close();
    await c.node.close();
  }
});

test('a `cell run` process serves the cell it hosts: an in-process node fetches it over loopback UDP', async (t) => {
  const proc = spawn(process.execPath, [cellBin(), 'run', 'build/cells/exchange.wasm', '--port', '0', '--ephemeral', '--no-multicast'], { cwd: REPO });
  try {
    let out = '';
    const { nodeId, port } = await new Promise<{ nodeId: number; port: number }>((resolve, reject) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /node ([0-9a-f]{8}) listening on udp \S+:(\d+)/.exec(out);
        if (m) resolve({ nodeId: parseInt(m[1]!, 16), port: Number(m[2]) });
      });
      proc.once('exit', (code) => reject(new Error(`cell run exited with ${code}: ${out}`)));
    });
    const b = await udpNode([{ address: '127.0.0.1', port }]);
    try {
      await b.node.handshake(nodeId);
      const cell = cellWasm('exchange');
      const got = await b.node.fetchSpore(request(cell, Exchange.speciesId, nodeId));
      t.true(Buffer.from(got).equals(Buffer.from(cell)));
    } finally {
      await b.node.close();
    }
  } finally {
    proc.kill();
  }
});

test('the LAN path: runs of 32 chunks cut into 1,200-byte fragments (28 a frame) travel byte-exact and are reassembled', async (t) => {
  const a = await udpNode([], false);
  const b = await udpNode([{ address: '127.0.0.1', port: a.udp.address.port }], false);
  try {
    await b.node.handshake(a.id.nodeId);
    const big = new Uint8Array(512 * 1024 + 77);
    for (let i = 0; i < big.length; i++) big[i] = (i * 151 + (i >> 11)) & 255;
    a.spores.serve(big);
    const got = await b.node.fetchSpore(request(big, 0x5eed0004, a.id.nodeId));
    t.true(Buffer.from(got).equals(Buffer.from(big)));
    const s = b.node.kernel.stats();
    t.is(s.sporeBadChunks, 0);
    const frag = b.udp.stats;
    // Every run over 1,200 bytes came as fragments: 513 chunks in about 17 runs of up to 28 fragments each.
    t.true(frag.reassembled >= 16, `${frag.reassembled} frames reassembled`);
    t.true(frag.fragmentsIn >= 16 * 27, `${frag.fragmentsIn} fragments in`);
    t.is(frag.fragmentsDropped, 0);
    t.log(`512 KiB in ${frag.reassembled} reassembled frames from ${frag.fragmentsIn} fragments, ${s.sporeTimeouts} timeouts`);
  } finally {
    await a.node.close();
    await b.node.close();
  }
});
