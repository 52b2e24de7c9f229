// Fixed tables keyed by node id: where a key's row is, and which row a newcomer takes.

/** Row of `id` among the first `used` ids, or -1. */
export function rowOfId(ids: StaticArray<u32>, used: i32, id: u32): i32 {
  for (let i = 0; i < used; i++) if (unchecked(ids[i]) == id) return i;
  return -1;
}

/** The row a newcomer takes: the next unused one, or (full) the one with the smallest `rank`. */
export function rowForNewcomer(rank: StaticArray<f64>, used: i32): i32 {
  if (used < rank.length) return used;
  let r = 0;
  for (let i = 1; i < used; i++) if (unchecked(rank[i]) < unchecked(rank[r])) r = i;
  return r;
}
