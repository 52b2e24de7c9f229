// This node: its id (k_init) and the load and spare capacity its pheromones carry (k_set_load).
import { BROADCAST } from "../protocol/table";

export let selfId: u32 = 0;
/** CPU share, 0..1. */
export let selfLoad: f64 = 0;
/** Spare capacity, 0..1. */
export let selfSpare: f64 = 1;

export function setSelfId(id: u32): void {
  selfId = id;
}

/** This node's ed25519 public key (k_identity); the secret key stays with the host (hal.sign). */
export const SELF_PUB: usize = memory.data(32);
export let hasIdentity: bool = false;

export function setSelfPub(pub: usize): void {
  memory.copy(SELF_PUB, pub, 32);
  hasIdentity = true;
}

/** Keeps the last valid value of each: a NaN or negative share from the host changes nothing. */
export function setSelfLoad(cpuShare: f64, spareShare: f64): void {
  if (isFinite(cpuShare) && cpuShare >= 0) selfLoad = cpuShare;
  if (isFinite(spareShare) && spareShare >= 0) selfSpare = spareShare;
}

/** An id another node may have: not ours, not 0 (unassigned), not the broadcast address. */
export function isOtherNode(id: u32): bool {
  return id != selfId && id != 0 && id != BROADCAST;
}
