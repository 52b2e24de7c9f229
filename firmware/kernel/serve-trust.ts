// Whose replicas this node routes calls to (the node's [access] serve list, loaded by the host
// with k_serve_add): rows of (ed25519 key, species). A species no row names may be served by any
// authenticated node, as before; once a row names it, an announcement of that species counts
// only from a listed key, so a stranger with a valid key of its own cannot draw its calls.
// Unauthenticated announcements (open mode) carry no verified key: they never serve a named species.
import { KERNEL_MAX_SERVE as MAX_SERVE } from "./target-tables";
import { KeySpeciesList } from "./key-species-list";

const list = new KeySpeciesList(MAX_SERVE);

export function serveClear(): void { list.clear(); }

/** Adds (key at pub, species); 0, or -1 when the list is full. */
export function serveAdd(pub: usize, species: u32): i32 { return list.add(pub, species); }

export function serveCount(): i32 { return list.count; }

/** Whether a node with the verified key at pub (0: none) may serve `species` to this node. */
export function serveAllows(pub: usize, species: u32): bool {
  return !list.names(species) || list.allows(pub, species);
}
