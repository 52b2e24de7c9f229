// Per-sample jitter and frame loss, applied the same way over both latency models.
//
// Jitter is queueing: it only ever adds delay, is usually small and sometimes large, so a
// sample is base * (1 + jitter * E) with E ~ Exp(1): `jitter` is the mean relative extra delay.
// The minimum over many samples approaches the base RTT, which is what a latency filter
// (Ledlie et al. 2007) recovers.
import type { Rng } from '../rng.ts';

export function checkPerturbation(jitter: number, loss: number): void {
  if (!Number.isFinite(jitter) || jitter < 0) throw new RangeError(`--jitter must be a number >= 0, got ${jitter}`);
  if (!Number.isFinite(loss) || loss < 0 || loss > 1) throw new RangeError(`--loss must be in [0, 1], got ${loss}`);
}

/** One RTT sample around `base` (NaN stays NaN). */
export function jittered(base: number, jitter: number, rng: Rng): number {
  return jitter === 0 ? base : base * (1 + jitter * rng.exponential());
}

/** One-way delay of a frame, or -1 when it is lost. Half an RTT sample: paths are taken as symmetric. */
export function frameDelay(base: number, jitter: number, loss: number, rng: Rng): number {
  if (base !== base) return -1; // unknown pair: unreachable
  if (loss > 0 && rng.next() < loss) return -1;
  return jittered(base, jitter, rng) / 2;
}
