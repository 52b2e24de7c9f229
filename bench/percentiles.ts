import { quantile } from '../simulator/metrics.ts';

/** The q-quantile (0..1) of unsorted samples: sorts a copy for the one quantile (simulator/metrics.ts). */
export function percentile(samples: ArrayLike<number>, q: number): number {
  return quantile(Float64Array.from(samples).sort(), q);
}
