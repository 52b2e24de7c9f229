// How fuzz inputs are made from valid ones: bit flips, byte overwrites, truncation, extension,
// splices of two examples, duplicated or deleted runs, and lies in the length fields a decoder
// trusts (the header's u16 length at bytes 18-19, CBOR heads, the fragment offset and total).
import type { Rng } from '../simulator/rng.ts';

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = rng.u32();
    out[i] = v;
    if (i + 1 < n) out[i + 1] = v >>> 8;
    if (i + 2 < n) out[i + 2] = v >>> 16;
    if (i + 3 < n) out[i + 3] = v >>> 24;
  }
  return out;
}

/** Values a length field is most likely to be wrong with: zero, one off, the type's extremes. */
const LIES = [0, 1, 0x17, 0x18, 0x7f, 0x80, 0xff, 0x100, 0xfffe, 0xffff];

type Mutation = (rng: Rng, b: Uint8Array, other: Uint8Array) => Uint8Array;

const MUTATIONS: Mutation[] = [
  // flip 1..8 bits
  (rng, b) => {
    const out = b.slice();
    if (out.length === 0) return out;
    for (let k = 1 + rng.int(8); k > 0; k--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  // overwrite a few bytes with interesting values
  (rng, b) => {
    const out = b.slice();
    if (out.length === 0) return out;
    for (let k = 1 + rng.int(4); k > 0; k--) out[rng.int(out.length)] = [0x00, 0xff, 0x7f, 0x80, 0x1f, 0x9f, 0xbf, 0xfb, 0xff][rng.int(9)]!;
    return out;
  },
  // truncate
  (rng, b) => b.slice(0, rng.int(b.length + 1)),
  // extend with random bytes
  (rng, b) => {
    const tail = randomBytes(rng, 1 + rng.int(64));
    const out = new Uint8Array(b.length + tail.length);
    out.set(b);
    out.set(tail, b.length);
    return out;
  },
  // splice: a head of this example, the tail of another
  (rng, b, other) => {
    const cut = rng.int(b.length + 1);
    const from = rng.int(other.length + 1);
    const out = new Uint8Array(cut + other.length - from);
    out.set(b.subarray(0, cut));
    out.set(other.subarray(from), cut);
    return out;
  },
  // duplicate or delete a run
  (rng, b) => {
    if (b.length === 0) return b.slice();
    const at = rng.int(b.length);
    const n = 1 + rng.int(Math.min(32, b.length - at));
    if (rng.next() < 0.5) {
      const out = new Uint8Array(b.length - n);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + n), at);
      return out;
    }
    const out = new Uint8Array(b.length + n);
    out.set(b.subarray(0, at + n));
    out.set(b.subarray(at), at + n);
    return out;
  },
  // a lie in a length field: the header's (bytes 18-19), a fragment's offset/total (20-23), or any u16 LE
  (rng, b) => {
    const out = b.slice();
    if (out.length < 2) return out;
    const spots = [18, 20, 22].filter((p) => p + 1 < out.length);
    const at = spots.length > 0 && rng.next() < 0.7 ? spots[rng.int(spots.length)]! : rng.int(out.length - 1);
    const v = rng.next() < 0.7 ? LIES[rng.int(LIES.length)]! : rng.int(0x10000);
    out[at] = v & 0xff;
    out[at + 1] = v >>> 8;
    return out;
  },
  // a lie in a CBOR head: change a byte's additional-info bits (0-23 inline, 24-27 longer, 28-31 reserved/indefinite)
  (rng, b) => {
    const out = b.slice();
    if (out.length === 0) return out;
    const at = rng.int(out.length);
    out[at] = (out[at]! & 0xe0) | rng.int(32);
    return out;
  },
];

/** One to three mutations of example `k`, possibly mixing in another example. */
export function mutate(rng: Rng, examples: readonly Uint8Array[], k: number): Uint8Array {
  let b = examples[k]!;
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const other = examples[rng.int(examples.length)]!;
    b = MUTATIONS[rng.int(MUTATIONS.length)]!(rng, b, other);
  }
  return b;
}
