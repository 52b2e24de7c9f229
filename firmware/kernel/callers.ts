// Who calls the cells this node hosts, and how much: a space-saving heavy-hitters table (Metwally et
// al. 2005) of MAX_CALLERS entries, decayed so it follows recent demand. Mitosis places a sibling
// where this node's load comes from (division.ts), and the kernel probes the heaviest callers it
// cannot place yet, so their coordinates and spare capacity reach the peer table.
// Fixed memory; a node hosting several species shares one table (they rarely have different callers).
export const MAX_CALLERS: i32 = 8;
/** Weight kept per decay step (callersDecay, once a division period: 1 s). 0.9: a time constant of ~10 s. */
const KEEP: f64 = 0.9;

const ids = new StaticArray<u32>(MAX_CALLERS);
const weights = new StaticArray<f64>(MAX_CALLERS);
let used: i32 = 0;
let replaced: u32 = 0;

/** Entries given to a newcomer by taking the lightest one's place. */
export function callersReplaced(): u32 { return replaced; }

export function callersCount(): i32 { return used; }
export function callerId(i: i32): u32 { return i >= 0 && i < used ? unchecked(ids[i]) : 0; }
export function callerWeight(i: i32): f64 { return i >= 0 && i < used ? unchecked(weights[i]) : 0; }

/**
 * Counts one call from `id`. A newcomer to a full table takes the lightest entry's place with that
 * weight + 1, so a caller with more than 1 / MAX_CALLERS of the (decayed) calls is always held.
 */
export function callersNote(id: u32): void {
  if (id == 0) return;
  let light = 0;
  for (let i = 0; i < used; i++) {
    if (unchecked(ids[i]) == id) {
      unchecked(weights[i] += 1);
      return;
    }
    if (unchecked(weights[i]) < unchecked(weights[light])) light = i;
  }
  if (used < MAX_CALLERS) {
    unchecked(ids[used] = id);
    unchecked(weights[used] = 1);
    used++;
    return;
  }
  replaced++;
  unchecked(ids[light] = id);
  unchecked(weights[light] += 1);
}

export function callersDecay(): void {
  for (let i = 0; i < used; i++) unchecked(weights[i] *= KEEP);
}

export function callersClear(): void { used = 0; }
