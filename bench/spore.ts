// Spore transfer benchmark (issue #13 target): the kernel's chunked fetch from a `cell run`
// process over loopback UDP, authenticated, into a node in this process built as `cell run`
// builds one; beside, in the same run and between the same two kinds of process:
//   baseline - the same bytes over a plain Node TCP socket (the ratio);
//   floor    - the same bytes as plain UDP request/answer datagrams of the fetch's run (sporeRun
//              chunks), as many in flight as the fetch keeps, no kernel, no proof, no MAC: what
//              Node's dgram carries in this datagram size, so the kernel's own share is visible.
// Plus the cost of verifying a spore (hash + signature) beside its transfer, and the fetch's own
// cryptography: the hal.hash and hal.mac calls its kernel made (recorded by length during one
// fetch), with the module's SHA-256 at the end, run again alone through the same functions.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import dgram from 'node:dgram';
import type { ChildProcess } from 'node:child_process';
import { CellNode } from '../host/runtime/cell-node.ts';
import { SporeBytes } from '../host/runtime/spore-bytes.ts';
import { UdpTransport } from '../host/transport/udp-transport.ts';
import { newIdentity } from '../host/identity/node-identity.ts';
import { chunkRoot } from '../host/spore/chunk-tree.ts';
import { appendCustomSection } from '../host/build/custom-section.ts';
import { kernelPath, REPO_ROOT } from '../host/build/paths.ts';
import { startCell, startNode } from './node-process.ts';
import { readCellToml } from '../host/build/cell-toml.ts';
import { validateSchema } from '../host/sdk/schema.ts';
import { generateAuthorityKey } from '../host/spore/authority-key.ts';
import { signSpore } from '../host/spore/sign-spore.ts';
import { verifySpore, nowSeconds } from '../host/spore/verify-spore.ts';
import { sporeRunFor } from '../host/runtime/spore-run.ts';
import { UDP_MAX_FRAME } from '../host/transport/udp-fragments.ts';
import { NodeCrypto } from '../host/identity/node-crypto.ts';
import { sha256 } from '../host/identity/sha256.ts';

export interface SporeBenchCase {
  bytes: number;
  ms: number;
  bytesPerSec: number;
  baseline: { ms: number; bytesPerSec: number };
  floor: { ms: number; bytesPerSec: number };
  /** verifySpore of the signed .spore (signature, module hash, chunk root, schema), as `cell run` does before it runs one. */
  verifyMs: number;
  /** The fetching process's cryptography for one fetch, without the transfer: its kernel's hal.hash
   *  calls (the chunk checks) and hal.mac calls (every frame's MAC, sent and received), as recorded
   *  during the last round, and the module's SHA-256 (SporeBytes.done), run again back to back. */
  crypto: { ms: number; hashCalls: number; hashMs: number; macCalls: number; macMs: number; moduleHashMs: number };
}

export interface SporeBenchResult {
  /** Requests in flight per fetch at most (the kernel's sporeWindow). */
  window: number;
  /** Chunks per request (the sporeRun `cell run` sets for a UDP node), and per datagram of the floor. */
  run: number;
  /** Datagrams in flight in the floor: as many runs as the fetch keeps in flight. */
  floorWindow: number;
  rounds: number;
  cases: SporeBenchCase[];
  /** The keys: the 1 MiB case. */
  bytesPerSec: number;
  baseline: { bytesPerSec: number };
}

/** The serve rate's "requesters of the last second" (spore-serve.ts ACTIVE_MS) and a 1 MiB refill (256 ms), passed. */
const SERVE_SETTLE_MS = 1300;
const WINDOW = 8; // the kernel's default sporeWindow (docs/protocol.toml)
const CHUNK = 1024;
// What CellNode sets for a node on UDP (host/runtime/spore-run.ts), and the runs the kernel keeps in flight then.
const RUN = sporeRunFor(UDP_MAX_FRAME);
const FLOOR_WINDOW = RUN > 1 ? Math.max(1, Math.floor(Math.max(WINDOW, 2 * RUN) / RUN)) : WINDOW;

/** The exchange cell, padded with a custom section to `size` bytes: a module `cell run` hosts and serves. */
function moduleOf(cell: Uint8Array, size: number): Uint8Array {
  if (size <= cell.length + 16) return cell;
  let padLen = size - cell.length - 16; // less the section id, the two LEB128 lengths and the name
  for (;;) {
    const pad = new Uint8Array(padLen);
    for (let i = 0; i < padLen; i++) pad[i] = (i * 131 + (i >> 12)) & 255;
    const out = appendCustomSection(cell, 'bench.pad', pad);
    if (out.length === size) return out;
    padLen += size - out.length;
  }
}

/** A fresh fetching node (a fresh node holds nothing, so every round travels). */
async function fetcher(kernelWasm: Uint8Array, port: number) {
  const id = await newIdentity();
  const udp = await UdpTransport.open({ port: 0, multicast: false, seeds: [{ address: '127.0.0.1', port }] });
  const spores = new SporeBytes();
  const node = await CellNode.create({ nodeId: id.nodeId, identity: id, kernelWasm, transports: [udp], spores, config: { probeIntervalMs: 0, announceIntervalMs: 0 } });
  return node;
}

// The baseline's and the floor's server: a second Node process holding the same file.
const SERVER = `
const fs = require('node:fs'), net = require('node:net'), dgram = require('node:dgram');
const bytes = fs.readFileSync(process.argv[1]);
const tcp = net.createServer((s) => { s.on('error', () => {}); s.end(bytes); });
const udp = dgram.createSocket('udp4');
udp.on('message', (m, r) => {
  const i = m.readUInt32LE(0), size = m.readUInt32LE(4);
  const d = Buffer.allocUnsafe(4 + size);
  d.writeUInt32LE(i, 0);
  const n = bytes.copy(d, 4, i * size, i * size + size);
  udp.send(d.subarray(0, 4 + n), r.port, r.address);
});
tcp.listen(0, '127.0.0.1', () => udp.bind(0, '127.0.0.1', () => console.log('ready tcp ' + tcp.address().port + ' udp ' + udp.address().port)));
`;

function tcpFetch(port: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let got = 0;
    const c = net.connect(port, '127.0.0.1');
    c.on('data', (d) => {
      got += d.length;
      if (got >= size) {
        resolve(performance.now() - t0);
        c.destroy();
      }
    });
    c.on('error', reject);
  });
}

/** Every `datagram`-byte piece asked for and answered as plain datagrams, `window` in flight, a lost one asked again. */
function udpFloor(port: number, size: number, window: number, datagram: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const n = Math.ceil(size / datagram);
    const held = new Uint8Array(n);
    const sock = dgram.createSocket('udp4');
    let next = 0;
    let have = 0;
    let t0 = 0;
    const ask = (i: number) => {
      const b = Buffer.allocUnsafe(8);
      b.writeUInt32LE(i, 0);
      b.writeUInt32LE(datagram, 4);
      sock.send(b, port, '127.0.0.1');
    };
    const retry = setInterval(() => { for (let i = 0; i < n; i++) if (!held[i]) { ask(i); break; } }, 50);
    sock.on('message', (m) => {
      const i = m.readUInt32LE(0);
      if (i < n && !held[i]) {
        held[i] = 1;
        have++;
      }
      if (have === n) {
        clearInterval(retry);
        sock.close();
        resolve(performance.now() - t0);
        return;
      }
      if (next < n) ask(next++);
    });
    sock.on('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      t0 = performance.now();
      while (next < Math.min(window, n)) ask(next++);
    });
  });
}

/** Records the input length of every NodeCrypto hash and mac call until stopped (a push each). */
function recordCrypto(): { hash: number[]; mac: number[]; stop: () => void } {
  const proto = NodeCrypto.prototype;
  const { hash, mac } = proto;
  const calls = { hash: [] as number[], mac: [] as number[] };
  proto.hash = function (this: NodeCrypto, data, out) {
    calls.hash.push(data.length);
    hash.call(this, data, out);
  };
  proto.mac = function (this: NodeCrypto, key, data, out) {
    calls.mac.push(data.length);
    mac.call(this, key, data, out);
  };
  return { ...calls, stop: () => Object.assign(proto, { hash, mac }) };
}

/** The recorded calls again, alone: the same NodeCrypto functions on inputs of the same lengths. */
function replayCrypto(module: Uint8Array, calls: { hash: number[]; mac: number[] }): SporeBenchCase['crypto'] {
  const c = new NodeCrypto(null);
  const out = new Uint8Array(32);
  const key = new Uint8Array(32).fill(7);
  // Frames can be longer than a small module: the inputs are the module's bytes, repeated.
  const bytes = new Uint8Array(Math.max(module.length, ...calls.hash, ...calls.mac));
  for (let i = 0; i < bytes.length; i += module.length) bytes.set(module.subarray(0, bytes.length - i), i);
  const input = (len: number) => bytes.subarray(0, len);
  let t0 = performance.now();
  for (const len of calls.hash) c.hash(input(len), out);
  const hashMs = performance.now() - t0;
  t0 = performance.now();
  for (const len of calls.mac) c.mac(key, input(len), out);
  const macMs = performance.now() - t0;
  t0 = performance.now();
  sha256(module);
  const moduleHashMs = performance.now() - t0;
  return { ms: hashMs + macMs + moduleHashMs, hashCalls: calls.hash.length, hashMs, macCalls: calls.mac.length, macMs, moduleHashMs };
}

const median = (xs: number[]) => xs.slice().sort((x, y) => x - y)[xs.length >> 1]!;

/** Median time of verifySpore on `module` signed by a fresh authority (trust not consulted: a lookup). */
function verifyMs(module: Uint8Array, rounds: number): number {
  const cfg = readCellToml(join(REPO_ROOT, 'firmware', 'cells', 'exchange'));
  const schema = validateSchema(JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'cells', 'exchange.schema.json'), 'utf8')).schema);
  const now = nowSeconds();
  const spore = signSpore({ module, schema, biology: cfg.biology, limits: cfg.limits }, { key: generateAuthorityKey(), issuedAt: now, expiresAt: now + 3600, revision: 1 });
  const runs: number[] = [];
  verifySpore(spore, { trust: null, now }); // the first ed25519 verify of a process builds tables
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const v = verifySpore(spore, { trust: null, now });
    runs.push(performance.now() - t0);
    if (!v.ok) throw new Error(`the bench spore does not verify: ${v.detail}`);
  }
  return median(runs);
}

async function measure(kernelWasm: Uint8Array, file: string, module: Uint8Array, rounds: number): Promise<SporeBenchCase> {
  const procs: ChildProcess[] = [];
  try {
    const server = await startCell(['run', file, '--port', '0', '--ephemeral', '--no-multicast'], /node ([0-9a-f]{8}) listening on udp \S+:(\d+)/);
    procs.push(server.proc);
    const serverId = parseInt(server.match[1]!, 16);
    const serverPort = Number(server.match[2]);
    const plain = await startNode(['-e', SERVER, file], /ready tcp (\d+) udp (\d+)/, 'the baseline server');
    procs.push(plain.proc);
    const tcpPort = Number(plain.match[1]);
    const udpPort = Number(plain.match[2]);
    const hash = new Uint8Array(createHash('sha256').update(module).digest());
    const root = chunkRoot(module);
    const species = 0x5b0e0000; // any id: the holder is hinted, not found by its announcement
    const runs: number[] = [];
    const tcpRuns: number[] = [];
    const floorRuns: number[] = [];
    let recorded: ReturnType<typeof recordCrypto> | null = null;
    for (let r = 0; r < rounds; r++) {
      // Each round is a lone fetch, as a user's is: the holder's serve buckets (sporeServeRate, 4000
      // chunks a second shared among the requesters of the last second) are full again by then.
      // Back to back, five fresh fetchers of 1 MiB would share 4000 chunks a second five ways and
      // the later rounds would wait out BUSY refusals (250 ms each): a figure of the rate limit, not of the transfer.
      if (r > 0) await new Promise((resolve) => setTimeout(resolve, SERVE_SETTLE_MS));
      const node = await fetcher(kernelWasm, serverPort);
      try {
        await node.handshake(serverId);
        if (r === rounds - 1) recorded = recordCrypto();
        const t0 = performance.now();
        const got = await node.fetchSpore({ species, hash, root, size: module.length, hints: [serverId] }).finally(() => recorded?.stop());
        runs.push(performance.now() - t0);
        if (!Buffer.from(got).equals(Buffer.from(module))) throw new Error('the fetched module differs from the one served');
      } finally {
        await node.close();
      }
      tcpRuns.push(await tcpFetch(tcpPort, module.length));
      floorRuns.push(await udpFloor(udpPort, module.length, FLOOR_WINDOW, RUN * CHUNK));
    }
    const ms = median(runs);
    const tcp = median(tcpRuns);
    const floor = median(floorRuns);
    const rate = (t: number) => (module.length / t) * 1000;
    return { bytes: module.length, ms, bytesPerSec: rate(ms), baseline: { ms: tcp, bytesPerSec: rate(tcp) }, floor: { ms: floor, bytesPerSec: rate(floor) }, verifyMs: verifyMs(module, rounds), crypto: replayCrypto(module, recorded!) };
  } finally {
    for (const p of procs) p.kill();
  }
}

export async function benchSpore(opts: { sizes?: number[]; rounds?: number } = {}): Promise<SporeBenchResult> {
  const kernelWasm = new Uint8Array(await readFile(kernelPath('host')));
  const cell = new Uint8Array(await readFile(join(REPO_ROOT, 'build', 'cells', 'exchange.wasm')));
  const dir = await mkdtemp(join(tmpdir(), 'cell-spore-bench-'));
  const rounds = opts.rounds ?? 5;
  const cases: SporeBenchCase[] = [];
  try {
    // The 14 KB case is the exchange cell as built; larger ones are it plus a custom section.
    for (const size of opts.sizes ?? [cell.length, 1024 * 1024]) {
      const module = moduleOf(cell, size);
      const file = join(dir, `exchange-${size}.wasm`);
      await writeFile(file, module);
      cases.push(await measure(kernelWasm, file, module, rounds));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const big = cases[cases.length - 1]!;
  return { window: WINDOW, run: RUN, floorWindow: FLOOR_WINDOW, rounds, cases, bytesPerSec: big.bytesPerSec, baseline: { bytesPerSec: big.baseline.bytesPerSec } };
}
