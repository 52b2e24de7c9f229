// Per-neighbour latency filter: a moving percentile over the last LF_SAMPLES RTTs (Ledlie et al.,
// NSDI 2007). Queueing and retransmissions only ever add delay, so a low order statistic of a short
// window tracks the path's base RTT while a lone spike (or a lone too-low sample) is never reported.
//
// A ring lives in caller-owned memory (LF_BYTES each; the neighbour table embeds one per slot):
//   u32 total samples (saturating) | u32 next write index | f32 x LF_SAMPLES
// API: lfClear(ring), lfPush(ring, rttMs), lfCount(ring): i32, lfValue(ring): f64
import { LF_SAMPLES, tuneFilterPercentile, tuneFilterOff } from "./vivaldi-config";

export const LF_BYTES: i32 = 8 + 4 * LF_SAMPLES;

// Sorting scratch (filters are evaluated one at a time).
const SORT: usize = memory.data(LF_SAMPLES * 8, 8);

export function lfClear(ring: usize): void {
  memory.fill(ring, 0, <usize>LF_BYTES);
}

/** Adds a sample; the caller has already rejected non-finite and non-positive RTTs. */
export function lfPush(ring: usize, rttMs: f64): void {
  const total = load<u32>(ring);
  const head = load<u32>(ring, 4);
  // f32 is ample for milliseconds (24-bit mantissa) and halves the table.
  store<f32>(ring + 8 + (<usize>head << 2), <f32>rttMs);
  store<u32>(ring, total == u32.MAX_VALUE ? total : total + 1);
  store<u32>(ring, head + 1 == <u32>LF_SAMPLES ? 0 : head + 1, 4);
}

/** Samples in the window (0 .. LF_SAMPLES). */
export function lfCount(ring: usize): i32 {
  const total = load<u32>(ring);
  return total < <u32>LF_SAMPLES ? <i32>total : LF_SAMPLES;
}

/** Samples ever pushed (saturating), e.g. to tell a confirmed neighbour from a fresh one. */
export function lfTotal(ring: usize): u32 {
  return load<u32>(ring);
}

/**
 * The filtered RTT, 0 when empty. One sample: itself. Two: the lower. Three or more: the
 * LF_PERCENTILE order statistic with its rank clamped to 1 .. n-2, so neither extreme is returned.
 */
export function lfValue(ring: usize): f64 {
  const n = lfCount(ring);
  if (n == 0) return 0;
  if (tuneFilterOff) {
    const head = load<u32>(ring, 4);
    return <f64>load<f32>(ring + 8 + (<usize>(head == 0 ? LF_SAMPLES - 1 : head - 1) << 2));
  }
  // Insertion sort of at most LF_SAMPLES values.
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(ring + 8 + (<usize>i << 2));
    let j = i;
    while (j > 0 && load<f64>(SORT + (<usize>(j - 1) << 3)) > v) {
      store<f64>(SORT + (<usize>j << 3), load<f64>(SORT + (<usize>(j - 1) << 3)));
      j--;
    }
    store<f64>(SORT + (<usize>j << 3), v);
  }
  let rank = 0;
  if (n >= 3) {
    rank = <i32>Math.floor(tuneFilterPercentile * <f64>(n - 1));
    if (rank < 1) rank = 1;
    if (rank > n - 2) rank = n - 2;
  }
  return load<f64>(SORT + (<usize>rank << 3));
}
