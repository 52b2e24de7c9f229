// Vivaldi counters: every sample or coordinate that is not applied is counted, never silently lost.
// Read with vivaldiStat(id); the ids are stable (docs/vivaldi.md).

/** Updates applied to this node's coordinate. */
export const VS_UPDATES: i32 = 0;
/** RTT samples rejected: NaN, infinite, <= 0 or above VIV_RTT_MAX. */
export const VS_BAD_RTT: i32 = 1;
/** Peer coordinates rejected: wrong arity, not numbers, NaN/inf, magnitudes above VIV_COORD_MAX. */
export const VS_BAD_COORD: i32 = 2;
/** Updates undone because the result was not finite (should stay 0; a guard, not a path). */
export const VS_NONFINITE: i32 = 3;
/** Samples recorded but not applied: the neighbour had fewer than LF_MIN_SAMPLES samples. */
export const VS_HELD: i32 = 4;
/** Neighbours dropped after NB_MAX_MISSES unanswered probes. */
export const VS_EVICTED: i32 = 5;
/** Far neighbours replaced by a newly offered peer (rotation). */
export const VS_ROTATED: i32 = 6;
/** Samples from a peer not in the neighbour table and not insertable (ignored). */
export const VS_UNKNOWN_PEER: i32 = 7;
export const VS_COUNT: i32 = 8;

const counters: usize = memory.data(VS_COUNT * 4, 4);

@inline export function vivCount(id: i32): void {
  store<u32>(counters + (<usize>id << 2), load<u32>(counters + (<usize>id << 2)) + 1);
}

export function vivaldiStat(id: i32): u32 {
  return id >= 0 && id < VS_COUNT ? load<u32>(counters + (<usize>id << 2)) : 0;
}

export function vivaldiStatsReset(): void {
  memory.fill(counters, 0, <usize>(VS_COUNT * 4));
}
