// UDP transport: one frame per datagram. Learns each node's address from the frames it sends;
// frames for an unknown node, for "any host" (dst 0) and broadcasts go to the seed addresses.
import dgram from 'node:dgram';
import { checkFrame, BROADCAST, HEADER_BYTES } from '../wire/header.ts';
import type { Transport, TransportStats } from './transport.ts';

export interface UdpAddress {
  address: string;
  port: number;
}

export interface UdpTransportOptions {
  /** Local address to bind (default 127.0.0.1: never listen beyond this machine unless asked). */
  host?: string;
  /** Local port; 0 picks a free one. */
  port?: number;
  /** Where frames go when the destination's address is not known yet. */
  seeds?: UdpAddress[];
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

export class UdpTransport implements Transport {
  readonly name = 'udp';
  readonly stats: TransportStats = { framesOut: 0, framesIn: 0, dropped: 0 };
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly addresses = new Map<number, UdpAddress>();
  private readonly seeds: UdpAddress[];

  private constructor(private readonly socket: dgram.Socket, opts: UdpTransportOptions) {
    this.seeds = opts.seeds ?? [];
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  static async open(opts: UdpTransportOptions = {}): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpTransport(socket, opts);
  }

  get address(): UdpAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  send(frame: Uint8Array): void {
    if (frame.length < HEADER_BYTES) return;
    const dst = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(8, true);
    const known = dst !== 0 && dst !== BROADCAST ? this.addresses.get(dst) : undefined;
    const targets = known ? [known] : dst === BROADCAST ? unique([...this.seeds, ...this.addresses.values()]) : this.seeds;
    for (const t of targets) {
      this.stats.framesOut++;
      this.socket.send(frame, t.port, t.address);
    }
  }

  onFrame(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const frame = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    if (checkFrame(frame) !== 0) {
      this.stats.dropped++;
      return;
    }
    this.stats.framesIn++;
    const src = msg.readUInt32LE(4);
    if (src !== 0 && src !== BROADCAST) this.addresses.set(src, { address: rinfo.address, port: rinfo.port });
    this.handler?.(frame);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
