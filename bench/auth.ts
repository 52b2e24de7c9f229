// What authentication costs on a host: a call through two kernels (CALL and REPLY, each sealed
// and verified) against the same call with both kernels open, in one process with no sockets,
// plus the primitives the HAL runs (node:crypto) and one whole handshake.
import { KernelInstance } from '../host/runtime/kernel-instance.ts';
import { NodeCrypto } from '../host/identity/node-crypto.ts';
import { newIdentity, type NodeIdentity } from '../host/identity/node-identity.ts';
import { kernelPath } from '../host/build/paths.ts';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

const SPECIES = 0xbe0c0001;

interface Pair { client: KernelInstance; server: KernelInstance; run(): void; serverId: number }

function pair(module: WebAssembly.Module, a: NodeIdentity | null, b: NodeIdentity | null, ids: [number, number]): Pair {
  const queue: Array<[KernelInstance, Uint8Array]> = [];
  let now = 1;
  const mk = (id: NodeIdentity | null, to: () => KernelInstance) => KernelInstance.instantiate(module, {
    send: (f) => queue.push([to(), f.slice()]),
    now: () => now,
    random: () => randomBytes(4).readUInt32LE(0),
    cellCall: (_s, input, out) => {
      out.set(input);
      return input.length;
    },
    deliver: () => {},
    identity: id ?? undefined,
  });
  const p = {} as Pair;
  p.client = mk(a, () => p.server);
  p.server = mk(b, () => p.client);
  for (const k of [p.client, p.server]) {
    k.configure('announceIntervalMs', 0);
    k.configure('probeIntervalMs', 0);
  }
  p.client.init(ids[0], now);
  p.server.init(ids[1], now);
  p.server.host(1, SPECIES);
  p.serverId = ids[1];
  p.run = () => {
    while (queue.length > 0) {
      const [k, f] = queue.shift()!;
      k.onFrame(f);
    }
    now += 0.001;
  };
  return p;
}

function perOp(ms: number, fn: () => void): number {
  let n = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return ((performance.now() - t0) * 1000) / n;
}

export interface AuthBench {
  usPerCall: number;
  baseline: { usPerCall: number };
  usPerFrame: number;
  primitivesUs: { hmac64: number; sign: number; verify: number; x25519: number };
  usPerHandshake: number;
}

export async function benchAuth(opts: { seconds: number }): Promise<AuthBench> {
  const module = await KernelInstance.compile(new Uint8Array(await readFile(kernelPath('host'))));
  const [a, b] = [await newIdentity(), await newIdentity()];
  const ms = (opts.seconds * 1000) / 6;
  const payload = Uint8Array.of(0x82, 0x00, 0x64, 0x65, 0x63, 0x68, 0x6f);
  const callOn = (p: Pair) => () => {
    p.client.call(p.serverId, SPECIES, payload);
    p.run();
  };
  const open = pair(module, null, null, [0x1111, 0x2222]);
  const sealed = pair(module, a, b, [a.nodeId, b.nodeId]);
  sealed.client.hello(b.nodeId);
  sealed.run();
  if (sealed.client.sessions !== 1) throw new Error('bench: the handshake did not complete');
  // Warm both, then interleave the runs so machine load hits both alike.
  perOp(50, callOn(open));
  perOp(50, callOn(sealed));
  const base = (perOp(ms, callOn(open)) + perOp(ms, callOn(open))) / 2;
  const auth = (perOp(ms, callOn(sealed)) + perOp(ms, callOn(sealed))) / 2;
  for (const p of [open, sealed]) {
    // Every call must have come back: a refused call (PEER_BUSY) would cost nothing and lie.
    if (p.client.stat('repliesDelivered') !== p.client.stat('callsSent') || p.client.stat('callsSent') === 0) throw new Error(`bench: ${p.client.stat('callsSent')} calls sent, ${p.client.stat('repliesDelivered')} answered`);
  }
  const c = new NodeCrypto(a.secretKey);
  const key = randomBytes(32), data = randomBytes(64), out = new Uint8Array(64), sig = new Uint8Array(64);
  c.sign(data, sig);
  const scalar = randomBytes(32), point = new Uint8Array(32);
  point[0] = 9;
  const primitivesUs = {
    hmac64: perOp(ms / 4, () => c.mac(key, data, out)),
    sign: perOp(ms / 4, () => c.sign(data, sig)),
    verify: perOp(ms / 4, () => c.verify(a.publicKey, data, sig)),
    x25519: perOp(ms / 4, () => c.x25519(scalar, point, out)),
  };
  const usPerHandshake = perOp(ms / 2, () => {
    sealed.client.configure('rekeyMinMs', 0);
    sealed.server.configure('rekeyMinMs', 0);
    sealed.client.hello(b.nodeId);
    sealed.run();
  });
  // A call is two frames (CALL, REPLY), each sealed by one kernel and verified by the other.
  return { usPerCall: auth, baseline: { usPerCall: base }, usPerFrame: (auth - base) / 2, primitivesUs, usPerHandshake };
}
