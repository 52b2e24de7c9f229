// Who may call what (the node's [access] list, loaded by the host with k_access_add): rows of
// (ed25519 key, species), species 0 meaning any. The kernel checks every authenticated CALL's
// session key against it. An empty list lets every authenticated peer call, unless
// accessListedOnly is set (a node reachable from the internet): then only listed keys may.
import { MAX_ACCESS, C_ACCESS_LISTED_ONLY } from "../protocol/table";
import { cfg } from "./config";
import { sessionPub } from "./sessions";

const KEY: i32 = 32;
const KEYS: usize = memory.data(MAX_ACCESS * KEY);
const speciesOf = new StaticArray<u32>(MAX_ACCESS);
let used: i32 = 0;

export function accessClear(): void { used = 0; }

/** Adds (key at pub, species); 0, or -1 when the list is full. */
export function accessAdd(pub: usize, species: u32): i32 {
  if (used >= MAX_ACCESS) return -1;
  memory.copy(KEYS + <usize>(used * KEY), pub, KEY);
  unchecked(speciesOf[used] = species);
  used++;
  return 0;
}

export function accessCount(): i32 { return used; }

function sameKey(a: usize, b: usize): bool {
  for (let i = 0; i < KEY; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  return true;
}

/** Whether the peer of session s may call `species`. */
export function accessAllows(s: i32, species: u32): bool {
  if (used == 0) return cfg(C_ACCESS_LISTED_ONLY) == 0;
  const pub = sessionPub(s);
  for (let i = 0; i < used; i++) {
    const sp = unchecked(speciesOf[i]);
    if ((sp == 0 || sp == species) && sameKey(KEYS + <usize>(i * KEY), pub)) return true;
  }
  return false;
}
