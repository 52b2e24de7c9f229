// Outstanding calls this node made: matched to REPLY/ERROR by seq, retried with backoff (and
// re-routed to the next replica) by k_tick, and expired when the attempts run out.
import { halNow } from "../hal/hal";
import { KERNEL_MAX_CALLS } from "./target-tables";
import { rttSample } from "./call-rtt";

export const MAX_CALLS: i32 = KERNEL_MAX_CALLS; // 32 on a host, MCU_MAX_CALLS on a board (target-tables.ts)
/** A CALL payload up to this size is kept for retransmission; a larger one gets one attempt. */
export const RETRY_BYTES: i32 = 256;

const seqs = new StaticArray<u16>(MAX_CALLS);
const dsts = new StaticArray<u32>(MAX_CALLS);
const speciesOf = new StaticArray<u32>(MAX_CALLS);
const deadlines = new StaticArray<f64>(MAX_CALLS);
const sentAt = new StaticArray<f64>(MAX_CALLS);
const attempts = new StaticArray<i32>(MAX_CALLS);
const routed = new StaticArray<bool>(MAX_CALLS);
const live = new StaticArray<bool>(MAX_CALLS);
const payloadLen = new StaticArray<i32>(MAX_CALLS); // -1: not kept (too large)
const PAYLOADS: usize = memory.data(MAX_CALLS * RETRY_BYTES);
let nextSeq: u16 = 1;

export function callsLive(): i32 {
  let n = 0;
  for (let i = 0; i < MAX_CALLS; i++) if (unchecked(live[i])) n++;
  return n;
}

/** Opens a call; returns its table index, or -1 when MAX_CALLS are in flight. */
export function callOpen(dst: u32, species: u32, isRouted: bool, now: f64, timeout: f64): i32 {
  for (let i = 0; i < MAX_CALLS; i++) {
    if (!unchecked(live[i])) {
      unchecked(live[i] = true);
      unchecked(seqs[i] = nextSeq);
      nextSeq = nextSeq == 0xffff ? 1 : nextSeq + 1;
      unchecked(dsts[i] = dst);
      unchecked(speciesOf[i] = species);
      unchecked(routed[i] = isRouted);
      unchecked(attempts[i] = 1);
      unchecked(sentAt[i] = now);
      unchecked(deadlines[i] = now + timeout);
      unchecked(payloadLen[i] = -1);
      return i;
    }
  }
  return -1;
}

/** Keeps a copy of the CALL payload for retransmission, if it fits. */
export function callKeepPayload(i: i32, ptr: usize, len: i32): void {
  if (len > RETRY_BYTES) return;
  memory.copy(PAYLOADS + <usize>(i * RETRY_BYTES), ptr, <usize>len);
  unchecked(payloadLen[i] = len);
}

export function callPayloadPtr(i: i32): usize { return PAYLOADS + <usize>(i * RETRY_BYTES); }
export function callPayloadLen(i: i32): i32 { return unchecked(payloadLen[i]); }
export function callSeq(i: i32): u16 { return unchecked(seqs[i]); }
export function callDst(i: i32): u32 { return unchecked(dsts[i]); }
export function callSpecies(i: i32): u32 { return unchecked(speciesOf[i]); }
export function callRouted(i: i32): bool { return unchecked(routed[i]); }
export function callAttempts(i: i32): i32 { return unchecked(attempts[i]); }
export function callSentAt(i: i32): f64 { return unchecked(sentAt[i]); }
export function callClose(i: i32): void { unchecked(live[i] = false); }

/** Records another attempt to `dst`, due back by now + timeout. */
export function callRetry(i: i32, dst: u32, now: f64, timeout: f64): void {
  unchecked(dsts[i] = dst);
  unchecked(attempts[i] += 1);
  unchecked(sentAt[i] = now);
  unchecked(deadlines[i] = now + timeout);
}

/** The open call answered by a frame from `src` with `seq`; -1 if none (late, duplicate or forged). */
export function callMatch(seq: u16, src: u32): i32 {
  for (let i = 0; i < MAX_CALLS; i++) {
    if (unchecked(live[i]) && unchecked(seqs[i]) == seq) {
      const d = unchecked(dsts[i]);
      // dst 0 went to "whoever hosts it", so any source may answer.
      if (d == 0 || d == src) {
        // Only a first attempt's answer is an RTT sample: a retry's could answer either attempt.
        if (unchecked(attempts[i]) == 1) rttSample(d, halNow() - unchecked(sentAt[i]), halNow());
        return i;
      }
    }
  }
  return -1;
}

/** Calls in flight to node `dst` (the per-peer window). */
export function callsInFlightTo(dst: u32): i32 {
  let n = 0;
  for (let i = 0; i < MAX_CALLS; i++) if (unchecked(live[i]) && unchecked(dsts[i]) == dst) n++;
  return n;
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
