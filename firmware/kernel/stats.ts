// Kernel counters, read by the host with k_stat(id); the ids (S_*) are in docs/protocol.toml.
// Every drop has a counter: nothing is lost silently.
import { S_COUNT } from "../protocol/table";

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
