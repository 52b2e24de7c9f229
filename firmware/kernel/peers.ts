// The peer table: what this node has heard about other nodes (pheromones, probes, replies).
// Fixed size; when full, the peer heard from least recently is replaced, one that hosts no
// species first: a replica's peers are what its mitosis and its callers' routing decide on.
import { count } from "./stats";
import { KERNEL_MAX_PEERS } from "./target-tables";
import { S_PEER_TABLE_FULL } from "../protocol/table";

export const MAX_PEERS: i32 = KERNEL_MAX_PEERS; // 64 on a host, MCU_MAX_PEERS on a board (target-tables.ts)
/** Species a peer can advertise; more are ignored (an MCU hosts a handful). */
export const MAX_PEER_SPECIES: i32 = 8;
/** f64 words of a stored coordinate: up to 8 dimensions + height + error. */
export const COORD_WORDS: i32 = 10;

const ids = new StaticArray<u32>(MAX_PEERS);
const lastSeen = new StaticArray<f64>(MAX_PEERS);
const failedUntil = new StaticArray<f64>(MAX_PEERS);
// Set when the peer shed one of our calls (ERROR OVERLOADED): routing prefers others until then.
// Separate from failedUntil, which also decides whether the peer counts as alive for mitosis.
const busyUntil = new StaticArray<f64>(MAX_PEERS);
const nSpecies = new StaticArray<i32>(MAX_PEERS);
const species = new StaticArray<u32>(MAX_PEERS * MAX_PEER_SPECIES);
const loads = new StaticArray<f64>(MAX_PEERS); // CPU share 0..1 as announced
const spares = new StaticArray<f64>(MAX_PEERS); // spare capacity 0..1 as announced
const coordLen = new StaticArray<i32>(MAX_PEERS); // 0 = no coordinate known
const coords = new StaticArray<f64>(MAX_PEERS * COORD_WORDS);

let used: i32 = 0;

export function peerCount(): i32 { return used; }
export function peerId(i: i32): u32 { return unchecked(ids[i]); }
export function peerLastSeen(i: i32): f64 { return unchecked(lastSeen[i]); }

export function peerFind(id: u32): i32 {
  for (let i = 0; i < used; i++) if (unchecked(ids[i]) == id) return i;
  return -1;
}

/** Index of `id`, inserting it (or replacing the stalest peer) if unknown; marks it seen now. */
export function peerTouch(id: u32, now: f64): i32 {
  let i = peerFind(id);
  if (i < 0) {
    if (used < MAX_PEERS) {
      i = used++;
    } else {
      count(S_PEER_TABLE_FULL);
      // The stalest peer, a node that hosts nothing before one that hosts a species.
      i = 0;
      for (let j = 1; j < used; j++) {
        const jBare = unchecked(nSpecies[j]) == 0;
        const iBare = unchecked(nSpecies[i]) == 0;
        if (jBare != iBare ? jBare : unchecked(lastSeen[j]) < unchecked(lastSeen[i])) i = j;
      }
    }
    unchecked(ids[i] = id);
    unchecked(nSpecies[i] = 0);
    unchecked(coordLen[i] = 0);
    unchecked(failedUntil[i] = 0);
    unchecked(busyUntil[i] = 0);
    unchecked(loads[i] = 0);
    unchecked(spares[i] = 0);
  }
  unchecked(lastSeen[i] = now);
  return i;
}

/** Marks a known peer seen now; an unknown one is not added (a caller need not be a peer). */
export function peerRefresh(id: u32, now: f64): void {
  const i = peerFind(id);
  if (i >= 0) unchecked(lastSeen[i] = now);
}

/** Forgets peers silent for longer than `maxAgeMs`. */
export function peerAgeOut(now: f64, maxAgeMs: f64): void {
  let i = 0;
  while (i < used) {
    if (now - unchecked(lastSeen[i]) > maxAgeMs) peerRemoveAt(i);
    else i++;
  }
}

function peerRemoveAt(i: i32): void {
  const last = used - 1;
  if (i != last) {
    unchecked(ids[i] = ids[last]);
    unchecked(lastSeen[i] = lastSeen[last]);
    unchecked(failedUntil[i] = failedUntil[last]);
    unchecked(busyUntil[i] = busyUntil[last]);
    unchecked(nSpecies[i] = nSpecies[last]);
    unchecked(loads[i] = loads[last]);
    unchecked(spares[i] = spares[last]);
    unchecked(coordLen[i] = coordLen[last]);
    memory.copy(changetype<usize>(species) + <usize>(i * MAX_PEER_SPECIES * 4), changetype<usize>(species) + <usize>(last * MAX_PEER_SPECIES * 4), <usize>(MAX_PEER_SPECIES * 4));
    memory.copy(changetype<usize>(coords) + <usize>(i * COORD_WORDS * 8), changetype<usize>(coords) + <usize>(last * COORD_WORDS * 8), <usize>(COORD_WORDS * 8));
  }
  used = last;
}

export function peerClearSpecies(i: i32): void { unchecked(nSpecies[i] = 0); }

export function peerAddSpecies(i: i32, s: u32): void {
  const n = unchecked(nSpecies[i]);
  if (n >= MAX_PEER_SPECIES) return;
  unchecked(species[i * MAX_PEER_SPECIES + n] = s);
  unchecked(nSpecies[i] = n + 1);
}

export function peerHosts(i: i32, s: u32): bool {
  const n = unchecked(nSpecies[i]);
  for (let k = 0; k < n; k++) if (unchecked(species[i * MAX_PEER_SPECIES + k]) == s) return true;
  return false;
}

/** Forgets that peer i hosts species s (it said so: an UNKNOWN_SPECIES answer, or a retirement). */
export function peerRemoveSpecies(i: i32, s: u32): void {
  const n = unchecked(nSpecies[i]);
  for (let k = 0; k < n; k++) {
    if (unchecked(species[i * MAX_PEER_SPECIES + k]) == s) {
      unchecked(species[i * MAX_PEER_SPECIES + k] = species[i * MAX_PEER_SPECIES + n - 1]);
      unchecked(nSpecies[i] = n - 1);
      return;
    }
  }
}

export function peerSpeciesCount(i: i32): i32 { return unchecked(nSpecies[i]); }
export function peerSpeciesAt(i: i32, k: i32): u32 {
  return k >= 0 && k < unchecked(nSpecies[i]) ? unchecked(species[i * MAX_PEER_SPECIES + k]) : 0;
}

export function peerSetLoad(i: i32, load: f64, spare: f64): void {
  unchecked(loads[i] = load);
  unchecked(spares[i] = spare);
}
export function peerLoad(i: i32): f64 { return unchecked(loads[i]); }
export function peerSpare(i: i32): f64 { return unchecked(spares[i]); }

export function peerMarkFailed(i: i32, until: f64): void { unchecked(failedUntil[i] = until); }
export function peerHealthy(i: i32, now: f64): bool { return unchecked(failedUntil[i]) <= now; }
export function peerMarkBusy(i: i32, until: f64): void { unchecked(busyUntil[i] = until); }
export function peerBusy(i: i32, now: f64): bool { return unchecked(busyUntil[i]) > now; }

/** Address of peer i's stored coordinate words (COORD_WORDS f64s). */
export function peerCoordPtr(i: i32): usize {
  return changetype<usize>(coords) + <usize>(i * COORD_WORDS * 8);
}
export function peerCoordLen(i: i32): i32 { return unchecked(coordLen[i]); }
export function peerSetCoordLen(i: i32, n: i32): void { unchecked(coordLen[i] = n); }
