// Duplicate suppression for calls this node serves: the answers to recent calls, keyed by
// (caller, seq, species). A retransmitted CALL gets the same answer again instead of running the
// handler twice, so a retried non-idempotent call (place_order) is executed once.
//
// Most answers are small, so most slots are: SMALL_SLOTS of SMALL_BYTES hold the last small
// answers, LARGE_SLOTS of REPLAY_BYTES the last large ones (10 KiB in all). A busy replica serves
// many calls within one retry interval; with eight 1 KiB slots, a retransmission arriving after
// eight other calls ran the handler a second time.
export const SMALL_SLOTS: i32 = 48;
export const SMALL_BYTES: i32 = 128;
export const LARGE_SLOTS: i32 = 4;
export const REPLAY_SLOTS: i32 = SMALL_SLOTS + LARGE_SLOTS;
/** Answers up to this size are kept whole; a larger one is remembered only as "already executed". */
export const REPLAY_BYTES: i32 = 1024;

const srcs = new StaticArray<u32>(REPLAY_SLOTS);
const seqs = new StaticArray<u16>(REPLAY_SLOTS);
const species = new StaticArray<u32>(REPLAY_SLOTS);
const types = new StaticArray<u8>(REPLAY_SLOTS); // 0 = empty slot
const lens = new StaticArray<i32>(REPLAY_SLOTS); // -1: executed, answer too large to keep
const stamps = new StaticArray<f64>(REPLAY_SLOTS);
const SMALL: usize = memory.data(SMALL_SLOTS * SMALL_BYTES);
const LARGE: usize = memory.data(LARGE_SLOTS * REPLAY_BYTES);
let nextSmall: i32 = 0;
let nextLarge: i32 = 0;

/** Slot holding the answer to (src, seq, species) within `windowMs`, or -1. */
export function replayFind(src: u32, seq: u16, sp: u32, now: f64, windowMs: f64): i32 {
  for (let i = 0; i < REPLAY_SLOTS; i++) {
    // A stale match (the seq came round again after the window) does not hide a fresh one.
    if (unchecked(types[i]) != 0 && unchecked(srcs[i]) == src && unchecked(seqs[i]) == seq && unchecked(species[i]) == sp &&
      now - unchecked(stamps[i]) <= windowMs) return i;
  }
  return -1;
}

/** Remembers an answer (type and payload) in the oldest slot of its size. */
export function replayStore(src: u32, seq: u16, sp: u32, type: u8, ptr: usize, len: i32, now: f64): void {
  let i: i32;
  if (len <= SMALL_BYTES) {
    i = nextSmall;
    nextSmall = (nextSmall + 1) % SMALL_SLOTS;
  } else {
    // Too large to keep is remembered here too: it needs no data, but it must not push out small answers.
    i = SMALL_SLOTS + nextLarge;
    nextLarge = (nextLarge + 1) % LARGE_SLOTS;
  }
  unchecked(srcs[i] = src);
  unchecked(seqs[i] = seq);
  unchecked(species[i] = sp);
  unchecked(types[i] = type);
  unchecked(stamps[i] = now);
  if (len <= REPLAY_BYTES) {
    memory.copy(replayPtr(i), ptr, <usize>len);
    unchecked(lens[i] = len);
  } else {
    unchecked(lens[i] = -1);
  }
}

export function replayType(i: i32): u8 { return unchecked(types[i]); }
export function replayLen(i: i32): i32 { return unchecked(lens[i]); }
export function replayPtr(i: i32): usize {
  return i < SMALL_SLOTS ? SMALL + <usize>(i * SMALL_BYTES) : LARGE + <usize>((i - SMALL_SLOTS) * REPLAY_BYTES);
}
