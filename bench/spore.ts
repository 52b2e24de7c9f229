// Spore transfer benchmark (issue #13 target): the kernel's chunked fetch between two nodes over
// loopback UDP, authenticated as `cell run` is, beside the same bytes sent over a plain Node TCP
// socket in the same run; plus the cost of verifying a spore (hash + signature). Both nodes run in
// this process (the figure is an upper bound of a two-process run's cost per byte, which it shares).
import net from 'node:net';
import { createHash } from 'node:crypto';
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { kernelPath } from '../host/build/paths.ts';
import { readFile } from 'node:fs/promises';

export interface SporeBenchCase {
  bytes: number;
  ms: number;
  bytesPerSec: number;
  baseline: { ms: number; bytesPerSec: number };
}

export interface SporeBenchResult {
  cases: SporeBenchCase[];
  /** The keys: the 1 MiB case. */
  bytesPerSec: number;
  baseline: { bytesPerSec: number };
}

async function udpNode(kernelWasm: Uint8Array, seeds: Array<{ address: string; port: number }>) {
  const id = await newIdentity();
  const udp = await UdpTransport.open({ port: 0, multicast: false, seeds });
  const spores = new SporeBytes();
  const node = await CellNode.create({ nodeId: id.nodeId, identity: id, kernelWasm, transports: [udp], spores, config: { probeIntervalMs: 0, announceIntervalMs: 0 } });
  return { node, id, udp, spores };
}

/** The same bytes through a TCP connection on loopback: connect, write, the peer counts them in. */
function tcpSend(bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    let t0 = 0;
    const server = net.createServer((s) => {
      s.on('data', (d) => {
        got += d.length;
        if (got >= bytes.length) {
          const ms = performance.now() - t0;
          s.destroy();
          server.close();
          resolve(ms);
        }
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      t0 = performance.now();
      const c = net.connect(port, '127.0.0.1', () => c.end(bytes));
      c.on('error', reject);
    });
  });
}

export async function benchSpore(opts: { sizes?: number[]; rounds?: number } = {}): Promise<SporeBenchResult> {
  const kernelWasm = new Uint8Array(await readFile(kernelPath('mcu')));
  const a = await udpNode(kernelWasm, []);
  const b = await udpNode(kernelWasm, [{ address: '127.0.0.1', port: a.udp.address.port }]);
  const cases: SporeBenchCase[] = [];
  try {
    await b.node.handshake(a.id.nodeId);
    let species = 0x5b0e0000;
    for (const size of opts.sizes ?? [14 * 1024, 1024 * 1024]) {
      const msRuns: number[] = [];
      const tcpRuns: number[] = [];
      for (let r = 0; r < (opts.rounds ?? 5); r++) {
        // Other bytes each round: a fetched module is kept (every node is a mirror), so a repeat would not travel.
        const module = Uint8Array.from({ length: size }, (_, i) => (i * 131 + (i >> 12) + r * 7) & 255);
        a.spores.serve(module);
        const hash = new Uint8Array(createHash('sha256').update(module).digest());
        const root = chunkRoot(module);
        const t0 = performance.now();
        const got = await b.node.fetchSpore({ species: ++species, hash, root, size, hints: [a.id.nodeId] });
        msRuns.push(performance.now() - t0);
        if (!Buffer.from(got).equals(Buffer.from(module))) throw new Error('the fetched module differs');
        tcpRuns.push(await tcpSend(module));
      }
      const median = (xs: number[]) => xs.slice().sort((x, y) => x - y)[xs.length >> 1]!;
      const ms = median(msRuns);
      const tcp = median(tcpRuns);
      cases.push({ bytes: size, ms, bytesPerSec: (size / ms) * 1000, baseline: { ms: tcp, bytesPerSec: (size / tcp) * 1000 } });
    }
  } finally {
    await a.node.close();
    await b.node.close();
  }
  const big = cases[cases.length - 1]!;
  return { cases, bytesPerSec: big.bytesPerSec, baseline: { bytesPerSec: big.baseline.bytesPerSec } };
}
