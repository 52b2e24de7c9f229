// A token bucket in two f64s of a StaticArray (tokens, filledAt at 2i and 2i+1): `rate` tokens a
// second, holding at most one second's worth. The kernel's rate limits (new sessions, spores
// served, per requester) share it, so they all mean the same thing by "per second".

/** Marks bucket `i` as never used: it starts full on first use. */
export function bucketReset(b: StaticArray<f64>, i: i32): void {
  unchecked(b[2 * i] = -1);
  unchecked(b[2 * i + 1] = 0);
}

/** The tokens bucket `i` holds at `now` (refilled, not taken). */
function level(b: StaticArray<f64>, i: i32, rate: f64, now: f64): f64 {
  const tokens = unchecked(b[2 * i]);
  const at = unchecked(b[2 * i + 1]);
  // A fresh bucket, or a clock that went back, starts full.
  if (tokens < 0 || now < at) return rate;
  return min(rate, tokens + (now - at) * rate / 1000);
}

/** Takes one token from bucket `i` at `now`; false (and nothing taken) if it holds less than one. */
export function bucketTake(b: StaticArray<f64>, i: i32, rate: f64, now: f64): bool {
  const t = level(b, i, rate, now);
  unchecked(b[2 * i + 1] = now);
  if (t < 1) {
    unchecked(b[2 * i] = t);
    return false;
  }
  unchecked(b[2 * i] = t - 1);
  return true;
}

/** Takes up to `want` whole tokens from bucket `i` at `now`; returns how many it took (0..want). */
export function bucketTakeUpTo(b: StaticArray<f64>, i: i32, rate: f64, now: f64, want: i32): i32 {
  const t = level(b, i, rate, now);
  const got = <i32>min(<f64>want, max(floor(t), 0));
  unchecked(b[2 * i + 1] = now);
  unchecked(b[2 * i] = t - <f64>got);
  return got;
}

/** Gives back `n` tokens taken at `now` (a later check refused the work they paid for). */
export function bucketRefund(b: StaticArray<f64>, i: i32, rate: f64, n: f64 = 1): void {
  unchecked(b[2 * i] = min(rate, unchecked(b[2 * i]) + n));
}
