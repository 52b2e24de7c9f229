// Deterministic randomness for the simulator. Every random decision in a run (placement,
// jitter, loss, the kernels' hal.random) draws from an Rng derived from --seed, so one seed
// always replays the same run.
//
// Generator: xoshiro128** (Blackman, Vigna 2018): 128-bit state, 32-bit output, fast on
// 32-bit integer arithmetic in JS. State is seeded through splitmix32 so that nearby seeds
// (1, 2, 3 ...) give unrelated streams and the all-zero state cannot occur.

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;

/** splitmix32 step: a good 32-bit finaliser, also used to hash keys into seeds. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A stateless hash of up to three 32-bit integers to 32 bits. The geo model uses it to give
 * each pair of nodes its own fixed path properties without storing an N^2 table.
 */
export function hash3(a: number, b: number, c: number): number {
  let h = mix32(a ^ 0x2545f491);
  h = mix32(h ^ b);
  return mix32(h ^ Math.imul(c, 0x27d4eb2d));
}

/** hash3 mapped to [0, 1). */
export function hashUnit(a: number, b: number, c: number): number {
  return hash3(a, b, c) * INV_TWO_POW_32;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** `seed`: a non-negative safe integer (all 53 bits count). `stream` selects an independent sub-stream. */
  constructor(seed: number, stream = 0) {
    checkSeed(seed);
    checkSeed(stream);
    // Each state word hashes all four 32-bit input halves under its own key, so seeds >= 2^32
    // still differ and no two (seed, stream) pairs can cancel each other out.
    const parts = [seed >>> 0, Math.floor(seed / TWO_POW_32), stream >>> 0, Math.floor(stream / TWO_POW_32)];
    const word = (key: number) => {
      let h = mix32(Math.imul(key, 0x9e3779b9));
      for (const p of parts) h = mix32(h ^ p);
      return h;
    };
    this.s0 = word(1);
    this.s1 = word(2);
    this.s2 = word(3);
    this.s3 = word(4);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** A generator with an explicit xoshiro128** state (checkpoints, reference vectors). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    if ([s0, s1, s2, s3].some((x) => !Number.isInteger(x) || x < 0 || x >= TWO_POW_32)) {
      throw new RangeError(`fromState: each word must be a uint32, got ${s0}, ${s1}, ${s2}, ${s3}`);
    }
    if ((s0 | s1 | s2 | s3) === 0) throw new RangeError('fromState: the all-zero state is not allowed');
    const r = new Rng(0);
    r.s0 = s0 | 0;
    r.s1 = s1 | 0;
    r.s2 = s2 | 0;
    r.s3 = s3 | 0;
    return r;
  }

  /** An independent generator for a sub-stream (e.g. one per node): same seed and key, same stream. */
  fork(key: number): Rng {
    checkSeed(key);
    // 32 + 21 bits of fresh state: the seed stays a safe integer.
    return new Rng(this.u32() * 0x200000 + (this.u32() & 0x1fffff), key);
  }

  /** 32 uniformly random bits as an unsigned integer. */
  u32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    // result = rotl(s1 * 5, 7) * 9
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result >>> 0;
  }

  /** 32 random bits as a signed i32 (what hal.random returns). */
  i32(): number {
    return this.u32() | 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (enough for every decision we make). */
  next(): number {
    return this.u32() * INV_TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias. n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`int(n): n must be an integer in [1, 2^32], got ${n}`);
    }
    // Rejection sampling: discard the top partial bucket so every value is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.u32();
    while (x >= limit) x = this.u32();
    return x % n;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Shuffles `a` in place (Fisher-Yates, last index first), drawing int() once per position. */
  shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i]!;
      a[i] = a[j]!;
      a[j] = tmp;
    }
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream position simple). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log stays finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.next());
  }
}
