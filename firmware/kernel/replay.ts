// Duplicate suppression for calls this node serves: the answers to recent calls, keyed by
// (caller, seq, species). A retransmitted CALL gets the same answer again instead of running the
// handler twice, so a retried non-idempotent call (place_order) is executed once.
//
// Per caller: an authenticated caller (frame-auth.ts) has PER_CALLER slots of its own, keyed by
// its session, so no other caller can evict its entries or pre-fill them (its src cannot be
// forged: the trailer's tag binds it). The row is forgotten when the session is replaced (the
// caller restarted or re-keyed, its seqs start again). Unauthenticated callers (open mode) and
// this node itself share the ring of SHARED_SLOTS as before: there a src is only a claim.
// Per session row, a floor: the newest seq whose entry was given up (overwritten by the caller's
// later calls, or past the window). A caller's seqs rise with every call it sends, so a CALL at
// or below the floor that is not in the cache is a retransmission of something that may have run,
// or a straggler older than that: it is refused STALE, never run again (docs/abi.md, Guarantee).
// Answers up to SMALL_BYTES are kept in the slot; larger ones, up to REPLAY_BYTES, in one of
// LARGE_SLOTS shared buffers: when that buffer has been reused, a retransmission is told the
// call ran once (TOO_LARGE) rather than run again.
import { REPLAY_PER_CALLER } from "../protocol/table";
import { KERNEL_MAX_SESSIONS as MAX_SESSIONS, KERNEL_REPLAY_SHARED, KERNEL_REPLAY_LARGE } from "./target-tables";
import { frameSession } from "./frame-auth";

export const PER_CALLER: i32 = REPLAY_PER_CALLER;
// The open-mode ring: 32 on a host, MCU_REPLAY_SHARED on a board; authenticated callers have their own slots.
export const SHARED_SLOTS: i32 = KERNEL_REPLAY_SHARED;
export const SMALL_BYTES: i32 = 128;
export const LARGE_SLOTS: i32 = KERNEL_REPLAY_LARGE; // 4 on a host, MCU_REPLAY_LARGE on a board
/** Answers up to this size are kept whole; a larger one is remembered only as "already executed". */
export const REPLAY_BYTES: i32 = 1024;
const CALLER_SLOTS: i32 = MAX_SESSIONS * PER_CALLER;
const SMALL_SLOTS: i32 = CALLER_SLOTS + SHARED_SLOTS;
export const REPLAY_SLOTS: i32 = SMALL_SLOTS + LARGE_SLOTS;
/** lens[] values that are not a length. */
const EXECUTED: i32 = -1;
const IN_LARGE: i32 = -2;

const srcs = new StaticArray<u32>(REPLAY_SLOTS);
const seqs = new StaticArray<u16>(REPLAY_SLOTS);
const species = new StaticArray<u32>(REPLAY_SLOTS);
const types = new StaticArray<u8>(REPLAY_SLOTS); // 0 = empty slot
const lens = new StaticArray<i32>(REPLAY_SLOTS);
const stamps = new StaticArray<f64>(REPLAY_SLOTS);
const SMALL: usize = memory.data(SMALL_SLOTS * SMALL_BYTES);
const LARGE: usize = memory.data(LARGE_SLOTS * REPLAY_BYTES);
const nextOfCaller = new StaticArray<i32>(MAX_SESSIONS);
const floorSeq = new StaticArray<u16>(MAX_SESSIONS);
const hasFloor = new StaticArray<bool>(MAX_SESSIONS);
/** types[] of a deferred call's entry (hal.cell_call answered CELL_DEFERRED): it ran, its answer is not known yet. */
export const PENDING: u8 = 0xff;
/** replayFind: the CALL is at or below its session's floor. */
export const REPLAY_STALE: i32 = -2;
let nextShared: i32 = 0;
let nextLarge: i32 = 0;
let overwritten: u32 = 0;

/** Slots holding an answer now. */
export function replayRows(): i32 {
  let n = 0;
  for (let i = 0; i < REPLAY_SLOTS; i++) if (unchecked(types[i]) != 0) n++;
  return n;
}

/** Answers forgotten to make room for newer ones (a retransmission after that runs the call again, or is told TOO_LARGE). */
export function replayOverwritten(): u32 { return overwritten; }

function match(i: i32, src: u32, seq: u16, sp: u32, now: f64, windowMs: f64): bool {
  // A stale match (the seq came round again after the window) does not hide a fresh one.
  return unchecked(types[i]) != 0 && unchecked(srcs[i]) == src && unchecked(seqs[i]) == seq &&
    unchecked(species[i]) == sp && now - unchecked(stamps[i]) <= windowMs;
}

/** a is after b in seq order (serial-number arithmetic: seqs wrap at 65535). */
@inline function seqAfter(a: u16, b: u16): bool {
  return a != b && <u16>(a - b) < 0x8000;
}

/** Session s gave up the entry for `seq`: the floor rises to it. */
function raiseFloor(s: i32, seq: u16): void {
  if (!unchecked(hasFloor[s]) || seqAfter(seq, unchecked(floorSeq[s]))) unchecked(floorSeq[s] = seq);
  unchecked(hasFloor[s] = true);
}

/**
 * Slot holding the answer to (src, seq, species) within `windowMs`, -1 if none, or REPLAY_STALE
 * when an authenticated caller's seq is at or below its floor; looks only where this caller's entries may be.
 */
export function replayFind(src: u32, seq: u16, sp: u32, now: f64, windowMs: f64): i32 {
  const s = frameSession;
  const from = s >= 0 ? s * PER_CALLER : CALLER_SLOTS;
  const to = s >= 0 ? from + PER_CALLER : SMALL_SLOTS;
  for (let i = from; i < to; i++) if (match(i, src, seq, sp, now, windowMs)) return i;
  if (s < 0) {
    for (let i = SMALL_SLOTS; i < REPLAY_SLOTS; i++) if (match(i, src, seq, sp, now, windowMs)) return i;
    return -1;
  }
  // Entries past the window are given up now: their seqs raise the floor.
  for (let i = from; i < to; i++) {
    if (unchecked(types[i]) != 0 && now - unchecked(stamps[i]) > windowMs) {
      raiseFloor(s, unchecked(seqs[i]));
      unchecked(types[i] = 0);
    }
  }
  if (unchecked(hasFloor[s]) && !seqAfter(seq, unchecked(floorSeq[s]))) return REPLAY_STALE;
  return -1;
}

function put(i: i32, src: u32, seq: u16, sp: u32, type: u8, now: f64): void {
  if (unchecked(types[i]) != 0) overwritten++;
  unchecked(srcs[i] = src);
  unchecked(seqs[i] = seq);
  unchecked(species[i] = sp);
  unchecked(types[i] = type);
  unchecked(stamps[i] = now);
}

/** Remembers an answer (type and payload): in the caller's own slots, or the shared ring. */
export function replayStore(src: u32, seq: u16, sp: u32, type: u8, ptr: usize, len: i32, now: f64): void {
  const s = frameSession;
  const large = len > SMALL_BYTES;
  let i: i32;
  if (s >= 0) {
    i = s * PER_CALLER + unchecked(nextOfCaller[s]);
    unchecked(nextOfCaller[s] = (unchecked(nextOfCaller[s]) + 1) % PER_CALLER);
    if (unchecked(types[i]) != 0) raiseFloor(s, unchecked(seqs[i]));
  } else if (large) {
    // Too large to keep is remembered here too: it needs no data, but it must not push out small answers.
    i = SMALL_SLOTS + nextLarge;
    nextLarge = (nextLarge + 1) % LARGE_SLOTS;
  } else {
    i = CALLER_SLOTS + nextShared;
    nextShared = (nextShared + 1) % SHARED_SLOTS;
  }
  put(i, src, seq, sp, type, now);
  if (!large) {
    memory.copy(slotPtr(i), ptr, <usize>len);
    unchecked(lens[i] = len);
  } else if (len > REPLAY_BYTES) {
    unchecked(lens[i] = EXECUTED);
  } else if (i >= SMALL_SLOTS) {
    memory.copy(slotPtr(i), ptr, <usize>len);
    unchecked(lens[i] = len);
  } else {
    // The caller's slot says "ran"; the bytes go to a shared large buffer, which may be reused.
    unchecked(lens[i] = IN_LARGE);
    const j = SMALL_SLOTS + nextLarge;
    nextLarge = (nextLarge + 1) % LARGE_SLOTS;
    put(j, src, seq, sp, type, now);
    memory.copy(slotPtr(j), ptr, <usize>len);
    unchecked(lens[j] = len);
  }
}

/** Forgets the entries of session row s (it now holds another peer, or a new key). */
export function replayForget(s: i32): void {
  for (let i = s * PER_CALLER; i < (s + 1) * PER_CALLER; i++) unchecked(types[i] = 0);
  unchecked(nextOfCaller[s] = 0);
  unchecked(hasFloor[s] = false);
}

export function replayType(i: i32): u8 { return unchecked(types[i]); }

/** For a caller's slot whose bytes went to a large buffer: that buffer, if not reused since; else -1. */
function largeOf(i: i32): i32 {
  for (let j = SMALL_SLOTS; j < REPLAY_SLOTS; j++) {
    if (unchecked(types[j]) != 0 && unchecked(srcs[j]) == unchecked(srcs[i]) && unchecked(seqs[j]) == unchecked(seqs[i]) &&
      unchecked(species[j]) == unchecked(species[i]) && unchecked(stamps[j]) == unchecked(stamps[i])) return j;
  }
  return -1;
}

/** The kept answer's length, or -1 when only "executed" is known (too large, or its buffer was reused). */
export function replayLen(i: i32): i32 {
  const n = unchecked(lens[i]);
  if (n != IN_LARGE) return n;
  const j = largeOf(i);
  return j >= 0 ? unchecked(lens[j]) : EXECUTED;
}

export function replayPtr(i: i32): usize {
  if (i < SMALL_SLOTS && unchecked(lens[i]) == IN_LARGE) {
    const j = largeOf(i);
    return j >= 0 ? replayPtr(j) : 0;
  }
  return slotPtr(i);
}

function slotPtr(i: i32): usize {
  return i < SMALL_SLOTS ? SMALL + <usize>(i * SMALL_BYTES) : LARGE + <usize>((i - SMALL_SLOTS) * REPLAY_BYTES);
}

/** The pending entry of (src, seq, sp), in whichever slots it went to; -1 if none. */
export function replayPending(src: u32, seq: u16, sp: u32): i32 {
  for (let i = 0; i < SMALL_SLOTS; i++) {
    if (unchecked(types[i]) == PENDING && unchecked(srcs[i]) == src && unchecked(seqs[i]) == seq && unchecked(species[i]) == sp) return i;
  }
  return -1;
}

/** A pending entry gets its answer: kept whole if it fits the slot, else remembered as executed. */
export function replayFill(i: i32, type: u8, ptr: usize, len: i32): void {
  unchecked(types[i] = type);
  if (len > SMALL_BYTES) len = EXECUTED;
  else memory.copy(slotPtr(i), ptr, <usize>len);
  unchecked(lens[i] = len);
}
