// Outstanding calls this node made: matched to REPLY/ERROR by seq, expired by k_tick.
export const MAX_CALLS: i32 = 32;

const seqs = new StaticArray<u16>(MAX_CALLS);
const dsts = new StaticArray<u32>(MAX_CALLS);
const deadlines = new StaticArray<f64>(MAX_CALLS);
const sentAt = new StaticArray<f64>(MAX_CALLS);
const live = new StaticArray<bool>(MAX_CALLS);
let nextSeq: u16 = 1;

/** Opens a call; returns its table index, or -1 when MAX_CALLS are in flight. */
export function callOpen(dst: u32, now: f64, timeout: f64): i32 {
  for (let i = 0; i < MAX_CALLS; i++) {
    if (!unchecked(live[i])) {
      unchecked(live[i] = true);
      unchecked(seqs[i] = nextSeq);
      nextSeq = nextSeq == 0xffff ? 1 : nextSeq + 1;
      unchecked(dsts[i] = dst);
      unchecked(sentAt[i] = now);
      unchecked(deadlines[i] = now + timeout);
      return i;
    }
  }
  return -1;
}

export function callSeq(i: i32): u16 { return unchecked(seqs[i]); }
export function callDst(i: i32): u32 { return unchecked(dsts[i]); }
export function callSentAt(i: i32): f64 { return unchecked(sentAt[i]); }
export function callClose(i: i32): void { unchecked(live[i] = false); }

/** The open call answered by a frame from `src` with `seq`; -1 if none (late, duplicate or forged). */
export function callMatch(seq: u16, src: u32): i32 {
  for (let i = 0; i < MAX_CALLS; i++) {
    if (unchecked(live[i]) && unchecked(seqs[i]) == seq) {
      const d = unchecked(dsts[i]);
      // dst 0 went to "whoever hosts it", so any source may answer.
      if (d == 0 || d == src) return i;
    }
  }
  return -1;
}

/** Index of an open call past its deadline, or -1. */
export function callExpired(now: f64): i32 {
  for (let i = 0; i < MAX_CALLS; i++) if (unchecked(live[i]) && unchecked(deadlines[i]) <= now) return i;
  return -1;
}

/** Earliest deadline of the open calls (Infinity if none). */
export function callNextDeadline(): f64 {
  let t = Infinity;
  for (let i = 0; i < MAX_CALLS; i++) if (unchecked(live[i]) && unchecked(deadlines[i]) < t) t = unchecked(deadlines[i]);
  return t;
}
