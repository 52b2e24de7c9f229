// Fragmentation for UDP: a frame larger than a safe datagram travels as several datagrams, each
// a copy of the header with FRAGMENT set (and MORE on all but the last) and a payload of
// [u16 offset][u16 total payload length][chunk] (docs/wire.md). Reassembly memory is bounded:
// at most MAX_PARTIAL messages in progress, each at most 64 KiB, dropped after REASSEMBLY_MS.
// One sender holds at most PER_SENDER_PARTIAL of them, and a full table makes room by dropping
// the oldest message of the sender holding the most, so forged first fragments cannot hold
// reassembly shut against everyone else.
import { Flag, HEADER_BYTES } from '../wire/header.ts';

/** Payload bytes per datagram: 1200 + headers stays under the 1280-byte IPv6 minimum MTU. */
export const SAFE_DATAGRAM = 1200;
const FRAG_HEAD = 4;
const CHUNK = SAFE_DATAGRAM - HEADER_BYTES - FRAG_HEAD;
/**
 * The largest datagram sent whole to a loopback address: the loopback interface's MTU is 64 KiB,
 * so nothing there is fragmented by IP; 65,507 is the largest IPv4 UDP payload (IPv6 allows 20 more).
 */
export const LOOPBACK_DATAGRAM = 65_507;

/** Whether `address` (an IP literal) is a loopback address: 127.0.0.0/8, ::1, or 127.x mapped into IPv6. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.toLowerCase().startsWith('::ffff:127.');
}

/** The largest datagram sent whole to `address`: frames above it travel as fragments. */
export function datagramLimit(address: string): number {
  return isLoopback(address) ? LOOPBACK_DATAGRAM : SAFE_DATAGRAM;
}

/** The largest frame UDP carries: a message of fragments holds at most 64 KiB of payload. */
export const UDP_MAX_FRAME = HEADER_BYTES + 0xffff;

export const MAX_PARTIAL = 16;
/** Messages in progress one sender (address:port) may hold; its next one replaces its oldest. */
export const PER_SENDER_PARTIAL = 2;
export const REASSEMBLY_MS = 3000;

export interface FragmentStats {
  fragmentsIn: number;
  reassembled: number;
  /** Fragments that were inconsistent, late, or over the memory bounds (counted, dropped). */
  fragmentsDropped: number;
  /** Messages in progress dropped to make room (a sender over its quota, or a full table). */
  partialsEvicted: number;
  /** Messages in progress now, and at most. */
  partials: number;
  partialCap: number;
  perSenderCap: number;
}

/** Splits a frame into datagrams of at most SAFE_DATAGRAM bytes; a frame that fits is returned as is. */
export function fragment(frame: Uint8Array): Uint8Array[] {
  if (frame.length <= SAFE_DATAGRAM) return [frame];
  const payload = frame.subarray(HEADER_BYTES);
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload.length; off += CHUNK) {
    const chunk = payload.subarray(off, off + CHUNK);
    const d = new Uint8Array(HEADER_BYTES + FRAG_HEAD + chunk.length);
    d.set(frame.subarray(0, HEADER_BYTES));
    const last = off + CHUNK >= payload.length;
    d[3] = frame[3]! | Flag.FRAGMENT | (last ? 0 : Flag.MORE);
    const dv = new DataView(d.buffer);
    dv.setUint16(18, FRAG_HEAD + chunk.length, true);
    dv.setUint16(20, off, true);
    dv.setUint16(22, payload.length, true);
    d.set(chunk, HEADER_BYTES + FRAG_HEAD);
    out.push(d);
  }
  return out;
}

interface Partial {
  from: string;
  header: Uint8Array;
  data: Uint8Array;
  have: number;
  seen: Set<number>;
  started: number;
}

export class Reassembler {
  private readonly counts = { fragmentsIn: 0, reassembled: 0, fragmentsDropped: 0, partialsEvicted: 0 };
  // Insertion order is age order: the first entry of a sender is its oldest.
  private readonly partial = new Map<string, Partial>();
  private readonly perSender = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  get stats(): FragmentStats {
    return { ...this.counts, partials: this.partial.size, partialCap: MAX_PARTIAL, perSenderCap: PER_SENDER_PARTIAL };
  }

  /** Takes one valid datagram carrying FRAGMENT; returns the whole frame once complete. */
  push(d: Uint8Array, from: string): Uint8Array | undefined {
    this.counts.fragmentsIn++;
    this.expire();
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    if (d.length < HEADER_BYTES + FRAG_HEAD) return this.drop();
    const off = dv.getUint16(20, true);
    const total = dv.getUint16(22, true);
    const chunk = d.subarray(HEADER_BYTES + FRAG_HEAD);
    // Chunks sit on CHUNK boundaries and only the last may be short, so they can never overlap.
    const last = off + chunk.length === total;
    if (off % CHUNK !== 0 || off + chunk.length > total || chunk.length === 0 || (!last && chunk.length !== CHUNK)) return this.drop();
    // src, seq, type and species name the message; the sender's address keeps strangers apart.
    const key = `${from}/${dv.getUint32(4, true)}/${dv.getUint16(16, true)}/${d[2]}/${dv.getUint32(12, true)}`;
    let p = this.partial.get(key);
    if (!p) {
      if ((this.perSender.get(from) ?? 0) >= PER_SENDER_PARTIAL) this.evictOldestOf(from);
      else if (this.partial.size >= MAX_PARTIAL) this.evictOldestOf(this.heaviestSender());
      p = { from, header: d.slice(0, HEADER_BYTES), data: new Uint8Array(total), have: 0, seen: new Set(), started: this.now() };
      this.partial.set(key, p);
      this.perSender.set(from, (this.perSender.get(from) ?? 0) + 1);
    }
    if (p.data.length !== total) return this.drop();
    if (p.seen.has(off)) return undefined; // a duplicate datagram: already have it
    p.seen.add(off);
    p.data.set(chunk, off);
    p.have += chunk.length;
    if (p.have < total) return undefined;
    this.forget(key, p);
    this.counts.reassembled++;
    const frame = new Uint8Array(HEADER_BYTES + total);
    frame.set(p.header);
    frame[3] = frame[3]! & ~(Flag.FRAGMENT | Flag.MORE);
    new DataView(frame.buffer).setUint16(18, total, true);
    frame.set(p.data, HEADER_BYTES);
    return frame;
  }

  private drop(): undefined {
    this.counts.fragmentsDropped++;
    return undefined;
  }

  private forget(key: string, p: Partial): void {
    this.partial.delete(key);
    const n = (this.perSender.get(p.from) ?? 1) - 1;
    if (n > 0) this.perSender.set(p.from, n);
    else this.perSender.delete(p.from);
  }

  private heaviestSender(): string {
    let worst = '';
    let most = 0;
    for (const [from, n] of this.perSender) {
      if (n > most) {
        most = n;
        worst = from;
      }
    }
    return worst;
  }

  private evictOldestOf(from: string): void {
    for (const [key, p] of this.partial) {
      if (p.from !== from) continue;
      this.forget(key, p);
      this.counts.partialsEvicted++;
      this.counts.fragmentsDropped += p.seen.size;
      return;
    }
  }

  private expire(): void {
    const now = this.now();
    for (const [key, p] of this.partial) {
      if (now - p.started > REASSEMBLY_MS) {
        this.forget(key, p);
        this.counts.fragmentsDropped += p.seen.size;
      }
    }
  }
}
