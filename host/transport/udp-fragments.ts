// Fragmentation for UDP: a frame larger than a safe datagram travels as several datagrams, each
// a copy of the header with FRAGMENT set (and MORE on all but the last) and a payload of
// [u16 offset][u16 total payload length][chunk] (docs/wire.md). Reassembly memory is bounded:
// at most MAX_PARTIAL messages in progress, each at most 64 KiB, dropped after REASSEMBLY_MS.
import { Flag, HEADER_BYTES } from '../wire/header.ts';

/** Payload bytes per datagram: 1200 + headers stays under the 1280-byte IPv6 minimum MTU. */
export const SAFE_DATAGRAM = 1200;
const FRAG_HEAD = 4;
const CHUNK = SAFE_DATAGRAM - HEADER_BYTES - FRAG_HEAD;
export const MAX_PARTIAL = 16;
export const REASSEMBLY_MS = 3000;

export interface FragmentStats {
  fragmentsIn: number;
  reassembled: number;
  /** Fragments that were inconsistent, late, or over the memory bounds (counted, dropped). */
  fragmentsDropped: number;
}

/** Splits a frame into datagrams; a frame that fits is returned as is. */
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
  header: Uint8Array;
  data: Uint8Array;
  have: number;
  seen: Set<number>;
  started: number;
}

export class Reassembler {
  readonly stats: FragmentStats = { fragmentsIn: 0, reassembled: 0, fragmentsDropped: 0 };
  private readonly partial = new Map<string, Partial>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes one valid datagram carrying FRAGMENT; returns the whole frame once complete. */
  push(d: Uint8Array, from: string): Uint8Array | undefined {
    this.stats.fragmentsIn++;
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
      if (this.partial.size >= MAX_PARTIAL) return this.drop();
      p = { header: d.slice(0, HEADER_BYTES), data: new Uint8Array(total), have: 0, seen: new Set(), started: this.now() };
      this.partial.set(key, p);
    }
    if (p.data.length !== total) return this.drop();
    if (p.seen.has(off)) return undefined; // a duplicate datagram: already have it
    p.seen.add(off);
    p.data.set(chunk, off);
    p.have += chunk.length;
    if (p.have < total) return undefined;
    this.partial.delete(key);
    this.stats.reassembled++;
    const frame = new Uint8Array(HEADER_BYTES + total);
    frame.set(p.header);
    frame[3] = frame[3]! & ~(Flag.FRAGMENT | Flag.MORE);
    new DataView(frame.buffer).setUint16(18, total, true);
    frame.set(p.data, HEADER_BYTES);
    return frame;
  }

  private drop(): undefined {
    this.stats.fragmentsDropped++;
    return undefined;
  }

  private expire(): void {
    const now = this.now();
    for (const [key, p] of this.partial) {
      if (now - p.started > REASSEMBLY_MS) {
        this.partial.delete(key);
        this.stats.fragmentsDropped += p.seen.size;
      }
    }
  }
}
