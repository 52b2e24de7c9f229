// When requests are issued: a Poisson process whose rate follows a scenario's rate(tS), for
// the whole swarm. Many independent clients each sending now and then add up to a Poisson
// stream; a varying rate makes it non-homogeneous, drawn here by thinning (Lewis, Shedler
// 1979): candidates at the peak rate, each kept with probability rate(t) / peak. Exact for
// any rate function bounded by the peak, and deterministic for a given Rng.
import type { Rng } from '../rng.ts';

export class PoissonArrivals {
  private t: number;

  /**
   * `rate(tS)`: requests per second at time tS, never above `peakRate`. Arrivals start after
   * `startS` and stop at `endS` (next() then returns Infinity).
   */
  constructor(
    private readonly rate: (tS: number) => number,
    readonly peakRate: number,
    private readonly rng: Rng,
    readonly startS = 0,
    readonly endS = Infinity,
  ) {
    if (typeof rate !== 'function') throw new TypeError('PoissonArrivals: rate must be a function of time');
    if (!(Number.isFinite(peakRate) && peakRate >= 0)) throw new RangeError(`PoissonArrivals: peakRate must be a non-negative number, got ${peakRate}`);
    if (!Number.isFinite(startS)) throw new RangeError(`PoissonArrivals: startS must be finite, got ${startS}`);
    if (!(endS >= startS)) throw new RangeError(`PoissonArrivals: endS (${endS}) must not be before startS (${startS})`);
    this.t = startS;
  }

  /** Time of the next request (s), or Infinity once past endS. */
  next(): number {
    if (this.peakRate === 0) return (this.t = Infinity);
    while (this.t <= this.endS) {
      this.t += this.rng.exponential() / this.peakRate;
      if (this.t > this.endS) break;
      const r = this.rate(this.t);
      if (!(r >= 0 && r <= this.peakRate * (1 + 1e-12))) {
        throw new RangeError(`PoissonArrivals: rate(${this.t}) = ${r} is outside [0, peakRate ${this.peakRate}]`);
      }
      if (this.rng.next() * this.peakRate < r) return this.t;
    }
    return (this.t = Infinity);
  }
}
