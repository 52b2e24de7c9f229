// Two kernels with keys, wired by hand: every frame either sends waits in a queue the test
// delivers, drops, duplicates or corrupts, and time moves only when the test says. The server
// hosts one species whose "cell" echoes the call payload and records every execution.
import { KernelInstance } from '../../host/runtime/kernel-instance.ts';
import { identityFromSecret, type NodeIdentity } from '../../host/identity/node-identity.ts';
import { kernelWasm } from '../fixtures/built.ts';
import type { KernelConfigKey } from '../../host/runtime/kernel-stats.ts';
import { MsgType } from '../../host/wire/protocol-table.ts';

export const SPECIES = 0x5eed0001;
const module = await KernelInstance.compile(kernelWasm());

export interface Frame { to: 'client' | 'server'; bytes: Uint8Array }

/** A deterministic 32-bit generator (xorshift), so handshakes are reproducible (test vectors). */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
}

export class AuthPair {
  now = 1;
  readonly net: Frame[] = [];
  /** Payloads the server's cell ran, in order (hex). */
  executed: string[] = [];
  /** Answers the client's kernel delivered: [kind, seq, src, payload hex]. */
  readonly delivered: Array<[number, number, number, string]> = [];
  client!: KernelInstance;
  server!: KernelInstance;

  private constructor(readonly clientId: NodeIdentity, readonly serverId: NodeIdentity, private readonly config: Partial<Record<KernelConfigKey, number>>, private readonly seed: number) {}

  static async create(seedA = 1, seedB = 2, config: Partial<Record<KernelConfigKey, number>> = {}): Promise<AuthPair> {
    const key = (n: number) => identityFromSecret(Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i * 7) & 0xff));
    const p = new AuthPair(await key(seedA), await key(seedB), config, seedA * 1000 + seedB);
    p.restart('client');
    p.restart('server');
    return p;
  }

  /** A fresh kernel for that side (a restart: its sessions and replay cache are gone). */
  restart(side: 'client' | 'server'): void {
    const id = side === 'client' ? this.clientId : this.serverId;
    const other = side === 'client' ? 'server' : 'client';
    const random = seededRandom(this.seed + (side === 'client' ? 17 : 29) + this.now);
    const k = KernelInstance.instantiate(module, {
      send: (f) => this.net.push({ to: other, bytes: f.slice() }),
      now: () => this.now,
      random,
      cellCall: (_slot, input, out) => {
        this.executed.push(Buffer.from(input).toString('hex'));
        out.set(input);
        return input.length;
      },
      // Answers only: a WELCOME's delivery (the peer's key, for the host) is not one.
      deliver: (kind, seq, src, payload) => {
        if (kind !== MsgType.WELCOME) this.delivered.push([kind, seq, src, Buffer.from(payload).toString('hex')]);
      },
      identity: id,
    });
    for (const [key, v] of Object.entries({ announceIntervalMs: 0, probeIntervalMs: 0, ...this.config })) k.configure(key as KernelConfigKey, v);
    k.init(id.nodeId, this.now);
    if (side === 'server') {
      k.host(1, SPECIES);
      this.server = k;
      this.executed = [];
    } else {
      this.client = k;
    }
  }

  kernel(side: 'client' | 'server'): KernelInstance {
    return side === 'client' ? this.client : this.server;
  }

  /** Hands frame i of the queue to its receiver; returns k_on_frame's result. */
  deliver(i: number): number {
    const [f] = this.net.splice(i, 1);
    return this.kernel(f!.to).onFrame(f!.bytes);
  }

  /** Delivers everything in order, including what the deliveries send, up to `limit` frames. */
  flush(limit = 100): void {
    for (let n = 0; n < limit && this.net.length > 0; n++) this.deliver(0);
  }

  tick(ms: number): void {
    this.now += ms;
    this.client.tick(this.now);
    this.server.tick(this.now);
  }
}
