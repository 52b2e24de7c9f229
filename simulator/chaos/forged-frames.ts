// Frames a forging node sends (--forgers): an ANNOUNCE for every species it has heard, with a
// zero load and a coordinate at the origin (height 0: "nearest to everyone"), and PONGs
// carrying that same coordinate. Built from the real frames the swarm carries, so they follow
// the wire format (docs/vivaldi.md) and a kernel in open mode accepts them.
import { HEADER_BYTES, MsgType, decodeHeader, encodeFrame } from '../../host/wire/header.ts';
import { decodeCbor } from '../../host/wire/cbor.ts';

/** The load a forger claims: the lowest a kernel accepts (a negative one is dropped and counted
 *  as `badLoad`, issue #12), so it wins or shares every tie on load. */
export const FORGED_LOAD = 0;
/** The spare capacity a forger claims. */
export const FORGED_SPARE = 1;
/** A forged coordinate's error estimate: small, so receivers trust it. */
const FORGED_ERROR = 0.01;

/** A minimal CBOR writer: only what the forged payloads need, floats always as float64 like the kernel writes them. */
class PayloadWriter {
  private readonly bytes: number[] = [];
  head(major: number, n: number): this {
    if (n < 24) this.bytes.push((major << 5) | n);
    else if (n < 0x100) this.bytes.push((major << 5) | 24, n);
    else if (n < 0x10000) this.bytes.push((major << 5) | 25, n >> 8, n & 0xff);
    else this.bytes.push((major << 5) | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return this;
  }
  array(n: number): this { return this.head(4, n); }
  uint(v: number): this { return this.head(0, v >>> 0); }
  f64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v);
    this.bytes.push(0xfb, ...b);
    return this;
  }
  coordinate(words: number): this {
    // dims at the origin, then height 0, then the error estimate
    this.array(words);
    for (let i = 0; i < words - 1; i++) this.f64(0);
    return this.f64(FORGED_ERROR);
  }
  done(): Uint8Array { return Uint8Array.from(this.bytes); }
}

/** The species list and coordinate length of a real ANNOUNCE, or null when it does not parse. */
export function announced(frame: Uint8Array): { species: number[]; coordWords: number } | null {
  if (frame[2] !== MsgType.ANNOUNCE) return null;
  const p = decodeCbor(frame.subarray(HEADER_BYTES)) as unknown;
  if (!Array.isArray(p) || p.length !== 4 || !Array.isArray(p[0]) || !Array.isArray(p[3])) return null;
  return { species: p[0].map((s: unknown) => Number(s) >>> 0), coordWords: p[3].length };
}

/** An ANNOUNCE from `src` for `species` with the forged load and coordinate. */
export function forgedAnnounce(src: number, species: readonly number[], coordWords: number): Uint8Array {
  const w = new PayloadWriter().array(4).array(species.length);
  for (const s of species) w.uint(s);
  w.f64(FORGED_LOAD).f64(FORGED_SPARE).coordinate(coordWords);
  return encodeFrame({ type: MsgType.ANNOUNCE, flags: 0, src, dst: 0xffffffff, species: 0, seq: 0 }, w.done());
}

/**
 * The PONG `frame` with its coordinate (the second item: an array of float64) replaced by the
 * forged one, every other byte kept; the frame itself when it is not shaped that way.
 */
export function forgedPong(frame: Uint8Array): Uint8Array {
  const p = frame.subarray(HEADER_BYTES);
  // [t_sent (float64), coordinate [f64 x words], ...]
  if (p.length < 11 || p[0]! >> 5 !== 4 || p[1] !== 0xfb || p[10]! >> 5 !== 4) return frame;
  const words = p[10]! & 0x1f;
  const end = 11 + 9 * words;
  if (words >= 24 || end > p.length) return frame;
  const coord = new PayloadWriter().coordinate(words).done();
  const payload = new Uint8Array(p.length);
  payload.set(p.subarray(0, 10));
  payload.set(coord, 10);
  payload.set(p.subarray(end), end);
  const h = decodeHeader(frame);
  return encodeFrame({ type: h.type, flags: h.flags, src: h.src, dst: h.dst, species: h.species, seq: h.seq }, payload);
}
