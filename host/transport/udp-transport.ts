// UDP transport: one frame per datagram (fragments above a safe size), pheromones by multicast.
// Learns each node's address from the frames it sends; frames for an unknown node and for
// "any host" (dst 0) go to the seed addresses; broadcasts go to the multicast group and seeds.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { checkFrame, BROADCAST, HEADER_BYTES, Flag } from '../wire/header.ts';
import { fragment, Reassembler, type FragmentStats } from './udp-fragments.ts';
import type { Transport, TransportStats } from './transport.ts';

import type { UdpAddress } from './udp-defaults.ts';
export type { UdpAddress };

import { DEFAULT_MULTICAST } from './udp-defaults.ts';

export interface UdpTransportOptions {
  /** Local address to bind (default 127.0.0.1: never listen beyond this machine unless asked). */
  host?: string;
  /** Local port; 0 picks a free one. */
  port?: number;
  /** Where frames go when the destination's address is not known yet. */
  seeds?: UdpAddress[];
  /** Join this multicast group for pheromones (false: none). Default DEFAULT_MULTICAST. */
  multicast?: UdpAddress | false;
  /** Interface address for multicast (default: the bind address, or 127.0.0.1 for 0.0.0.0). */
  multicastInterface?: string;
}

export interface UdpStats extends TransportStats, FragmentStats {}

export function parseUdpAddress(text: string): UdpAddress {
  const m = /^(.+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error(`"${text}" is not host:port (e.g. 127.0.0.1:4700)`);
  return { address: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

function unique(list: UdpAddress[]): UdpAddress[] {
  const seen = new Map<string, UdpAddress>();
  for (const a of list) seen.set(`${a.address}:${a.port}`, a);
  return [...seen.values()];
}

/**
 * Node's default lookup answers even an IP literal on the next tick, so every datagram waited for
 * one more turn of the event loop before its syscall. The addresses we send to are almost always
 * literals (learned from rinfo): answer those at once; names (a seed such as pi.local) go to DNS.
 */
function lookup(host: string, family: number, done: (err: Error | null, address: string, family: number) => void): void {
  // isIPv4 is a regular expression: the last literal seen (nearly every datagram's) skips it.
  if (host === lastLiteral || isIPv4(host)) {
    lastLiteral = host;
    done(null, host, 4);
  } else dns.lookup(host, family, done);
}
let lastLiteral = '';

function bind(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export class UdpTransport implements Transport {
  readonly name = 'udp';
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly addresses = new Map<number, UdpAddress>();
  private readonly seeds: UdpAddress[];
  private readonly reassembler = new Reassembler();
  private readonly counts = { framesOut: 0, framesIn: 0, dropped: 0 };
  // Asked once: getsockname on every datagram would cost more than the rest of receive().
  private readonly local: UdpAddress;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly group: dgram.Socket | undefined,
    private readonly groupAddress: UdpAddress | undefined,
    opts: UdpTransportOptions,
  ) {
    this.seeds = opts.seeds ?? [];
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    group?.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  static async open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = opts.host ?? '127.0.0.1';
    const socket = dgram.createSocket({ type: 'udp4', lookup: lookup as unknown as dgram.SocketOptions['lookup'] });
    await bind(socket, opts.port ?? 0, host);
    const mc = opts.multicast === undefined ? DEFAULT_MULTICAST : opts.multicast;
    let group: dgram.Socket | undefined;
    if (mc) {
      const iface = opts.multicastInterface ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
      // Every node on the machine listens on the same group port, hence reuseAddr.
      group = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      await bind(group, mc.port, '0.0.0.0');
      group.addMembership(mc.address, iface);
      socket.setMulticastInterface(iface);
      socket.setMulticastLoopback(true);
      socket.setMulticastTTL(1); // pheromones stay on the LAN
    }
    return new UdpTransport(socket, group, mc || undefined, opts);
  }

  get stats(): UdpStats {
    return { ...this.counts, ...this.reassembler.stats };
  }

  get address(): UdpAddress {
    return { ...this.local };
  }

  send(frame: Uint8Array): void {
    if (frame.length < HEADER_BYTES) return;
    const dst = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(8, true);
    let targets: UdpAddress[];
    if (dst === BROADCAST) targets = unique([...(this.groupAddress ? [this.groupAddress] : []), ...this.seeds]);
    else {
      const known = dst !== 0 ? this.addresses.get(dst) : undefined;
      targets = known ? [known] : this.seeds;
    }
    const datagrams = fragment(frame);
    for (const t of targets) {
      this.counts.framesOut++;
      for (const d of datagrams) this.socket.send(d, t.port, t.address);
    }
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let frame: Uint8Array | undefined = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    if (checkFrame(frame) !== 0) {
      this.counts.dropped++;
      return;
    }
    // Our own multicast comes back to us through the group socket: not news.
    const local = this.local;
    if (rinfo.port === local.port && (rinfo.address === local.address || local.address === '0.0.0.0')) return;
    if ((frame[3]! & Flag.FRAGMENT) !== 0) {
      frame = this.reassembler.push(frame, `${rinfo.address}:${rinfo.port}`);
      if (!frame) return;
    }
    this.counts.framesIn++;
    const src = msg.readUInt32LE(4);
    if (src !== 0 && src !== BROADCAST) {
      // Learn (or update) the sender's address; most datagrams come from a known address, so no allocation.
      const known = this.addresses.get(src);
      if (!known || known.port !== rinfo.port || known.address !== rinfo.address) this.addresses.set(src, { address: rinfo.address, port: rinfo.port });
    }
    this.handler?.(frame);
  }

  async close(): Promise<void> {
    const closing = [this.socket, ...(this.group ? [this.group] : [])].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    await Promise.all(closing);
  }
}
