// UDP transport: one frame per datagram (fragments above a safe size, except to loopback), pheromones by multicast.
// Learns each node's address from the frames it sends (a capped table: forged source ids cost
// evictions, not memory); frames for an unknown node and for "any host" (dst 0) go to the seed
// addresses; broadcasts go to the multicast group and seeds. Every socket is bound to the
// address asked for: the multicast socket to the group itself, so a unicast datagram to the
// group port is never delivered to it. IPv6 bind addresses get a udp6 socket and the link-local
// group ff12::ce11 on the bind address's interface (ipv6-multicast.ts); ::1 has no multicast.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { CappedMap, type CappedMapStats } from './capped-map.ts';
import { checkFrame, BROADCAST, HEADER_BYTES, Flag } from '../wire/header.ts';
import { fragment, datagramLimit, Reassembler, SAFE_DATAGRAM, UDP_MAX_FRAME, type FragmentStats } from './udp-fragments.ts';
import type { Transport, TransportStats } from './transport.ts';

import type { UdpAddress } from './udp-defaults.ts';
export type { UdpAddress };

import { DEFAULT_MULTICAST, DEFAULT_MULTICAST6 } from './udp-defaults.ts';
import { ipv6MulticastInterface } from './ipv6-multicast.ts';

export interface UdpTransportOptions {
  /** Local address to bind (default 127.0.0.1: never listen beyond this machine unless asked). */
  host?: string;
  /** Local port; 0 picks a free one. */
  port?: number;
  /** Where frames go when the destination's address is not known yet. */
  seeds?: UdpAddress[];
  /** Join this multicast group for pheromones (false: none). Default DEFAULT_MULTICAST. */
  multicast?: UdpAddress | false;
  /** IPv4: interface address for multicast (default: the bind address, or 127.0.0.1 for 0.0.0.0). IPv6: interface name (default: the one holding the bind address). */
  multicastInterface?: string;
  /** Rows in the node id -> address table (default ADDRESS_CAP). */
  addressCap?: number;
  /** false: a frame to a loopback address is cut into SAFE_DATAGRAM fragments as on a LAN (tests of the LAN path on one machine). Default true. */
  wholeOnLoopback?: boolean;
}

/** Node addresses remembered at most; the least recently used is forgotten first. */
export const ADDRESS_CAP = 4096;

export interface UdpStats extends TransportStats, FragmentStats {
  /** The node id -> address table: rows, cap, evictions. */
  addresses: CappedMapStats;
  /** Errors the sockets reported (a send to an unreachable or unresolvable address); see lastError. */
  socketErrors: number;
  /** What the multicast socket is bound to ('' without multicast). */
  groupBind: string;
}

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
  // isIP is a regular expression: the last literal seen (nearly every datagram's) skips it.
  if (host === lastLiteral) return done(null, host, lastFamily);
  const literal = isIP(host);
  if (literal !== 0) {
    lastLiteral = host;
    lastFamily = literal;
    done(null, host, literal);
  } else dns.lookup(host, family, done);
}
let lastLiteral = '';
let lastFamily = 4;

/** The socket type for a bind address: udp6 for an IPv6 literal, else udp4. */
function socketType(host: string): 'udp4' | 'udp6' {
  return isIP(host.replace(/%.*$/, '')) === 6 ? 'udp6' : 'udp4';
}

/** Checks now that a seed's name resolves, so a typo is a clear error at start, not a crash later. */
async function checkResolves(seed: UdpAddress, family: 4 | 6): Promise<void> {
  const literal = isIP(seed.address);
  if (literal !== 0 && literal !== family) {
    throw new Error(`peer ${seed.address} is IPv${literal} but this node's socket is IPv${family}: bind an IPv${literal} address (--host ${literal === 6 ? '::1' : '127.0.0.1'}, for example)`);
  }
  if (literal !== 0) return;
  try {
    await dns.promises.lookup(seed.address, { family });
  } catch (err) {
    throw new Error(`cannot resolve peer "${seed.address}" (IPv${family}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The local address this machine would send from to reach `to` (asks the routing table through a
 * connected socket; nothing is sent). Clients bind it, so they listen on the one interface they use.
 */
export async function localAddressFor(to: UdpAddress): Promise<string> {
  const family = isIP(to.address) === 6 ? 6 : 4;
  await checkResolves(to, family);
  const probe = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    return await new Promise<string>((resolve, reject) => {
      probe.once('error', reject);
      probe.connect(to.port, to.address, () => resolve(probe.address().address));
    });
  } finally {
    probe.close();
  }
}

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
  /** A frame larger than a datagram travels as fragments (udp-fragments.ts). */
  readonly maxFrame = UDP_MAX_FRAME;
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly addresses: CappedMap<number, UdpAddress>;
  private readonly seeds: UdpAddress[];
  private readonly reassembler = new Reassembler();
  private readonly counts = { framesOut: 0, framesIn: 0, dropped: 0 };
  // Asked once: getsockname on every datagram would cost more than the rest of receive().
  private readonly local: UdpAddress;
  private socketErrors = 0;
  private readonly limit: (address: string) => number;
  /** The last error a socket reported, if any. */
  lastError: Error | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly group: dgram.Socket | undefined,
    private readonly groupAddress: UdpAddress | undefined,
    private readonly groupBind: string,
    opts: UdpTransportOptions,
  ) {
    this.seeds = opts.seeds ?? [];
    this.addresses = new CappedMap(opts.addressCap ?? ADDRESS_CAP);
    this.limit = opts.wholeOnLoopback === false ? () => SAFE_DATAGRAM : datagramLimit;
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    group?.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    // Without a listener a failed send (ENETUNREACH, a name that stopped resolving) would end the process.
    for (const s of [socket, ...(group ? [group] : [])]) s.on('error', (err) => this.noteError(err));
  }

  static async open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = opts.host ?? '127.0.0.1';
    const type = socketType(host);
    const family = type === 'udp6' ? 6 : 4;
    const seeds = opts.seeds ?? [];
    for (const seed of seeds) await checkResolves(seed, family);
    let mc = opts.multicast === undefined ? DEFAULT_MULTICAST : opts.multicast;
    // An IPv6 node asked for the IPv4 default group (the CLI's default) uses the IPv6 default.
    if (mc && type === 'udp6' && mc.address === DEFAULT_MULTICAST.address && mc.port === DEFAULT_MULTICAST.port) mc = DEFAULT_MULTICAST6;
    if (mc && socketType(mc.address) !== type) {
      throw new Error(`multicast group ${mc.address} is not of the bind address ${host}'s family (give an ${type === 'udp6' ? 'IPv6' : 'IPv4'} group, or --no-multicast and --peer)`);
    }
    // IPv6: groups are joined per interface; with none that carries multicast (::1), no discovery.
    const iface6 = mc && type === 'udp6' ? ipv6MulticastInterface(host, opts.multicastInterface) : undefined;
    if (type === 'udp6' && iface6 === undefined) mc = false;
    const socket = dgram.createSocket({ type, lookup: lookup as unknown as dgram.SocketOptions['lookup'] });
    await bind(socket, opts.port ?? 0, host);
    let group: dgram.Socket | undefined;
    let groupBind = '';
    if (mc && iface6 !== undefined) {
      // The group with its scope: what the socket binds, joins and sends to.
      mc = { address: `${mc.address.replace(/%.*$/, '')}%${iface6}`, port: mc.port };
    }
    if (mc) {
      const iface = type === 'udp6' ? `::%${iface6}` : opts.multicastInterface ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
      // Every node on the machine listens on the same group port, hence reuseAddr.
      group = dgram.createSocket({ type, reuseAddr: true });
      // Bound to the group address, the socket gets only datagrams sent to the group: a unicast
      // to <this machine>:<group port> from the LAN is not delivered (Linux, BSD). Where binding a
      // group address fails (Windows), fall back to the bind address, which still keeps a
      // loopback node off the LAN.
      try {
        await bind(group, mc.port, mc.address);
        groupBind = mc.address;
      } catch {
        group.close();
        group = dgram.createSocket({ type, reuseAddr: true });
        await bind(group, mc.port, host);
        groupBind = host;
      }
      group.addMembership(mc.address.replace(/%.*$/, ''), iface);
      socket.setMulticastInterface(iface);
      socket.setMulticastLoopback(true);
      socket.setMulticastTTL(1); // pheromones stay on the LAN
    }
    return new UdpTransport(socket, group, mc || undefined, groupBind ? `${groupBind}:${mc ? mc.port : 0}` : '', { ...opts, seeds });
  }

  get stats(): UdpStats {
    return { ...this.counts, ...this.reassembler.stats, addresses: this.addresses.stats, socketErrors: this.socketErrors, groupBind: this.groupBind };
  }

  private noteError(err: Error): void {
    this.socketErrors++;
    this.lastError = err;
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
    let datagrams: Uint8Array[] | undefined;
    for (const t of targets) {
      this.counts.framesOut++;
      // Loopback carries any frame whole (64 KiB MTU); elsewhere a large frame is split once.
      if (frame.length <= this.limit(t.address)) this.socket.send(frame, t.port, t.address);
      else for (const d of (datagrams ??= fragment(frame))) this.socket.send(d, t.port, t.address);
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
    if (rinfo.port === local.port && (rinfo.address === local.address || local.address === '0.0.0.0' || local.address === '::')) return;
    if ((frame[3]! & Flag.FRAGMENT) !== 0) {
      frame = this.reassembler.push(frame, `${rinfo.address}:${rinfo.port}`);
      if (!frame) return;
    }
    this.counts.framesIn++;
    const src = msg.readUInt32LE(4);
    if (src !== 0 && src !== BROADCAST) {
      // Learn (or update) the sender's address; most datagrams come from a known address, so no allocation.
      // get() also marks the row as recently used, so busy peers outlive a flood of forged ids.
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
