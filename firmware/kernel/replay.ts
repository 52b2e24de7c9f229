// Duplicate suppression for calls this node serves: the answers to recent calls, keyed by
// (caller, seq, species). A retransmitted CALL gets the same answer again instead of running the
// handler twice, so a retried non-idempotent call (place_order) is executed once.
export const REPLAY_SLOTS: i32 = 8;
/** Answers up to this size are kept whole; a larger one is remembered only as "already executed". */
export const REPLAY_BYTES: i32 = 1024;

const srcs = new StaticArray<u32>(REPLAY_SLOTS);
const seqs = new StaticArray<u16>(REPLAY_SLOTS);
const species = new StaticArray<u32>(REPLAY_SLOTS);
const types = new StaticArray<u8>(REPLAY_SLOTS); // 0 = empty slot
const lens = new StaticArray<i32>(REPLAY_SLOTS); // -1: executed, answer too large to keep
const stamps = new StaticArray<f64>(REPLAY_SLOTS);
const DATA: usize = memory.data(REPLAY_SLOTS * REPLAY_BYTES);
let nextSlot: i32 = 0;

/** Slot holding the answer to (src, seq, species) within `windowMs`, or -1. */
export function replayFind(src: u32, seq: u16, sp: u32, now: f64, windowMs: f64): i32 {
  for (let i = 0; i < REPLAY_SLOTS; i++) {
    if (unchecked(types[i]) != 0 && unchecked(srcs[i]) == src && unchecked(seqs[i]) == seq && unchecked(species[i]) == sp) {
      return now - unchecked(stamps[i]) <= windowMs ? i : -1;
    }
  }
  return -1;
}

/** Remembers an answer (type and payload) in the oldest slot. */
export function replayStore(src: u32, seq: u16, sp: u32, type: u8, ptr: usize, len: i32, now: f64): void {
  const i = nextSlot;
  nextSlot = (nextSlot + 1) % REPLAY_SLOTS;
  unchecked(srcs[i] = src);
  unchecked(seqs[i] = seq);
  unchecked(species[i] = sp);
  unchecked(types[i] = type);
  unchecked(stamps[i] = now);
  if (len <= REPLAY_BYTES) {
    memory.copy(DATA + <usize>(i * REPLAY_BYTES), ptr, <usize>len);
    unchecked(lens[i] = len);
  } else {
    unchecked(lens[i] = -1);
  }
}

export function replayType(i: i32): u8 { return unchecked(types[i]); }
export function replayLen(i: i32): i32 { return unchecked(lens[i]); }
export function replayPtr(i: i32): usize { return DATA + <usize>(i * REPLAY_BYTES); }
