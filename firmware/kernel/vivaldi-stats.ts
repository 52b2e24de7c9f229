// Vivaldi counters: every sample or coordinate that is not applied is counted, never silently lost.
// Read with vivaldiStat(id); the ids (VS_*) are stable, in docs/protocol.toml.
import { VS_COUNT } from "../protocol/table";

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
