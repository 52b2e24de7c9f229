// The cells this node hosts: slot (the host's handle) -> species id.
import { KERNEL_MAX_CELLS } from "./target-tables";
export const MAX_CELLS: i32 = KERNEL_MAX_CELLS; // 8 on a host, MCU_MAX_CELLS on a board (target-tables.ts)

const slotSpecies = new StaticArray<u32>(MAX_CELLS); // 0 = empty
const slotHandle = new StaticArray<i32>(MAX_CELLS);

/** Registers `species` under the host's `slot` handle; 0, or -1 when the table is full or species is 0. */
export function cellsHost(slot: i32, species: u32): i32 {
  if (species == 0) return -1;
  for (let i = 0; i < MAX_CELLS; i++) {
    if (unchecked(slotSpecies[i]) == 0) {
      unchecked(slotSpecies[i] = species);
      unchecked(slotHandle[i] = slot);
      return 0;
    }
  }
  return -1;
}

export function cellsUnhost(slot: i32): void {
  for (let i = 0; i < MAX_CELLS; i++) {
    if (unchecked(slotSpecies[i]) != 0 && unchecked(slotHandle[i]) == slot) unchecked(slotSpecies[i] = 0);
  }
}

/** The host's slot handle hosting `species`, or -1. */
export function cellsSlotOf(species: u32): i32 {
  for (let i = 0; i < MAX_CELLS; i++) if (unchecked(slotSpecies[i]) == species) return unchecked(slotHandle[i]);
  return -1;
}

export function cellsCount(): i32 {
  let n = 0;
  for (let i = 0; i < MAX_CELLS; i++) if (unchecked(slotSpecies[i]) != 0) n++;
  return n;
}

/** Table index of the host's slot handle, or -1. */
export function cellsIndexOf(slot: i32): i32 {
  for (let i = 0; i < MAX_CELLS; i++) if (unchecked(slotSpecies[i]) != 0 && unchecked(slotHandle[i]) == slot) return i;
  return -1;
}

/** The host's slot handle at table index i. */
export function cellsHandleAt(i: i32): i32 { return unchecked(slotHandle[i]); }

/** Species id at table index i (0 if empty), for announcements. */
export function cellsSpeciesAt(i: i32): u32 { return unchecked(slotSpecies[i]); }
