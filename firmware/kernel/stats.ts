// Kernel counters, read by the host with k_stat(id). Every drop has a counter: nothing is lost silently.
export const S_FRAMES_RX: i32 = 0;
export const S_FRAMES_TX: i32 = 1;
export const S_DROP_BAD_HEADER: i32 = 2;
export const S_DROP_NOT_FOR_ME: i32 = 3;
export const S_DROP_TOO_LARGE: i32 = 4;
export const S_CALLS_SERVED: i32 = 5;
export const S_CALL_ERRORS: i32 = 6;
export const S_UNKNOWN_SPECIES: i32 = 7;
export const S_REPLIES_DELIVERED: i32 = 8;
export const S_TIMEOUTS: i32 = 9;
export const S_UNMATCHED_REPLIES: i32 = 10;
export const S_PINGS_RX: i32 = 11;
export const S_PONGS_RX: i32 = 12;
export const S_ANNOUNCES_RX: i32 = 13;
export const S_PEERS_KNOWN: i32 = 14;
export const S_BAD_PAYLOAD: i32 = 15;
export const S_CALLS_SENT: i32 = 16;
export const S_NO_ROUTE: i32 = 17;
export const S_CALL_TABLE_FULL: i32 = 18;
export const S_PROBES_SENT: i32 = 19;
export const S_PEER_TABLE_FULL: i32 = 20;
export const S_RETRIES: i32 = 21;
export const S_FAILOVERS: i32 = 22;
export const S_DUPLICATE_CALLS: i32 = 23;
export const S_PEER_WINDOW_FULL: i32 = 24;
export const S_SPAWNS: i32 = 25;
export const S_RETIREMENTS: i32 = 26;
/** Calls this node's host refused unexecuted (ERROR OVERLOADED): its cell's queue was full. */
export const S_CALLS_SHED: i32 = 27;
/** Calls of ours a replica shed, sent at once to another replica. */
export const S_OVERLOAD_FAILOVERS: i32 = 28;
export const S_COUNT: i32 = 29;

const counters = new StaticArray<u32>(S_COUNT);

@inline export function count(id: i32): void {
  unchecked(counters[id] += 1);
}

export function statGet(id: i32): u32 {
  return id >= 0 && id < S_COUNT ? unchecked(counters[id]) : 0;
}

export function statSet(id: i32, v: u32): void {
  if (id >= 0 && id < S_COUNT) unchecked(counters[id] = v);
}
