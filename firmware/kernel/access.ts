// Who may call what (the node's [access] list, loaded by the host with k_access_add): rows of
// (ed25519 key, species), species 0 meaning any. The kernel checks every authenticated CALL's
// session key against it. An empty list lets every authenticated peer call, unless
// accessListedOnly is set (a node reachable from the internet): then only listed keys may.
import { C_ACCESS_LISTED_ONLY } from "../protocol/table";
import { KERNEL_MAX_ACCESS as MAX_ACCESS } from "./target-tables";
import { cfg } from "./config";
import { sessionPub } from "./sessions";
import { KeySpeciesList } from "./key-species-list";

const list = new KeySpeciesList(MAX_ACCESS);

export function accessClear(): void { list.clear(); }

/** Adds (key at pub, species); 0, or -1 when the list is full. */
export function accessAdd(pub: usize, species: u32): i32 { return list.add(pub, species); }

export function accessCount(): i32 { return list.count; }

/** Whether the peer of session s may call `species`. */
export function accessAllows(s: i32, species: u32): bool {
  if (list.count == 0) return cfg(C_ACCESS_LISTED_ONLY) == 0;
  return list.allows(sessionPub(s), species);
}
