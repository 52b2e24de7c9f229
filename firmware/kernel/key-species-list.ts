// A fixed list of (ed25519 key, species) rows, species 0 meaning any: the shape of both the
// access list (who may call which species here) and the serve list (whose replicas of a species
// this node routes to). Loaded by the host from the node config; nothing on the wire adds rows.
const KEY: i32 = 32;

function sameKey(a: usize, b: usize): bool {
  for (let i = 0; i < KEY; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  return true;
}

export class KeySpeciesList {
  private readonly keys: StaticArray<u8>;
  private readonly species: StaticArray<u32>;
  private used: i32 = 0;

  constructor(readonly cap: i32) {
    this.keys = new StaticArray<u8>(cap * KEY);
    this.species = new StaticArray<u32>(cap);
  }

  clear(): void { this.used = 0; }

  get count(): i32 { return this.used; }

  /** Adds (32-byte key at pub, species); 0, or -1 when the list is full. */
  add(pub: usize, species: u32): i32 {
    if (this.used >= this.cap) return -1;
    memory.copy(changetype<usize>(this.keys) + <usize>(this.used * KEY), pub, KEY);
    unchecked(this.species[this.used] = species);
    this.used++;
    return 0;
  }

  /** Whether `species` is named by any row (a row for any species names them all). */
  names(species: u32): bool {
    for (let i = 0; i < this.used; i++) {
      const sp = unchecked(this.species[i]);
      if (sp == 0 || sp == species) return true;
    }
    return false;
  }

  /** Whether a row lets the key at pub (0: no verified key) have `species`. */
  allows(pub: usize, species: u32): bool {
    if (pub == 0) return false;
    for (let i = 0; i < this.used; i++) {
      const sp = unchecked(this.species[i]);
      if ((sp == 0 || sp == species) && sameKey(changetype<usize>(this.keys) + <usize>(i * KEY), pub)) return true;
    }
    return false;
  }
}
