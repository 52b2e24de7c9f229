// The Vivaldi neighbour set: which peers this node probes. A bounded table of NB_SLOTS peers learned
// from bootstrap, gossip, announcements and incoming probes; each slot holds the peer id, its
// unanswered-probe count and its latency filter ring. Probes go half to the NB_NEAR peers with the
// lowest filtered RTT (they fix the node within its region, where relative error is hardest) and
// half to random slots (they fix the global shape); offered peers rotate out measured far ones.
//
// API:
//   nbInit(self, seed)                  empty table; seed = HAL random bits for the internal PRNG
//   offerPeer(id): bool                 a peer id heard of; true if it is (now) in the table
//   nextProbeTarget(r): u32             whom to probe now (0 if nobody); r = fresh random bits
//   recordSample(id, rttMs): i32        a measured RTT; returns the samples in its window (0 = ignored)
//   filteredRtt(id): f64                its filtered RTT, -1 if unknown or never measured
//   gossipPick(r, exclude): u32         a known, answering peer to tell others about (0 if none)
//   forgetPeer(id)                      drop it (e.g. the kernel saw it leave)
import {
  NB_SLOTS, NB_MAX_MISSES, VIV_RTT_MAX, tuneNear, tuneNearShare, tuneReplaceShare, tuneGossipNearShare, tuneMinSamples,
} from "./vivaldi-config";
import { LF_BYTES, lfClear, lfPush, lfCount, lfTotal, lfValue } from "./latency-filter";
import { vivCount } from "./vivaldi-stats";
import { VS_BAD_RTT, VS_EVICTED, VS_ROTATED, VS_UNKNOWN_PEER } from "../protocol/table";

// Slot: u32 id | u32 unanswered probes | f64 filtered RTT (cached: the near set is ranked on every
// probe) | filter ring.
const SLOT_BYTES: i32 = 16 + LF_BYTES;
const TABLE: usize = memory.data(NB_SLOTS * SLOT_BYTES, 8);
// Indices of the current near set, rebuilt on demand.
const NEAR_IDX: usize = memory.data(NB_SLOTS * 4, 4);

let used: i32 = 0;
let nearCount: i32 = 0;
let nearValid: bool = false;
let selfId: u32 = 0;
let rs: u32 = 1;

@inline function slot(k: i32): usize { return TABLE + <usize>(k * SLOT_BYTES); }
@inline function idAt(k: i32): u32 { return load<u32>(slot(k)); }
@inline function ring(k: i32): usize { return slot(k) + 16; }
@inline function rttAt(k: i32): f64 { return load<f64>(slot(k), 8); }

/** xorshift32: decisions inside one call need more bits than the caller passes. */
function rnd(): u32 {
  let s = rs;
  s ^= s << 13; s ^= s >> 17; s ^= s << 5;
  rs = s;
  return s;
}

/** Stirs caller-supplied random bits into the PRNG (the HAL's randomness drives every choice). */
function stir(r: u32): void {
  rs ^= r * 0x9e3779b1;
  if (rs == 0) rs = 0x6d2b79f5;
  rnd();
}

function chance(p: f64): bool { return <f64>rnd() < p * 4294967296.0; }

export function nbInit(self: u32, seed: u32): void {
  used = 0;
  nearValid = false;
  selfId = self;
  rs = 0x6d2b79f5;
  stir(seed ^ self);
}

export function nbCount(): i32 { return used; }
export function nbIdAt(k: i32): u32 { return k >= 0 && k < used ? idAt(k) : 0; }

function find(id: u32): i32 {
  for (let k = 0; k < used; k++) if (idAt(k) == id) return k;
  return -1;
}

function removeAt(k: i32): void {
  nearValid = false;
  const last = used - 1;
  if (k != last) memory.copy(slot(k), slot(last), <usize>SLOT_BYTES);
  used = last;
}

/** Fills NEAR_IDX with up to tuneNear measured slots of lowest filtered RTT, nearest first; returns
 *  the count. Cached until the table or a filtered RTT changes. */
function computeNear(): i32 {
  if (nearValid) return nearCount;
  let n = 0;
  const cap = tuneNear < NB_SLOTS ? tuneNear : NB_SLOTS;
  for (let k = 0; k < used; k++) {
    if (lfCount(ring(k)) == 0) continue;
    const v = rttAt(k);
    // Insertion into the short sorted list; equal RTTs keep table order.
    let i = n < cap ? n : cap;
    if (i == cap && (cap == 0 || v >= rttAt(load<i32>(NEAR_IDX + (<usize>(cap - 1) << 2))))) continue;
    while (i > 0 && rttAt(load<i32>(NEAR_IDX + (<usize>(i - 1) << 2))) > v) {
      if (i < cap) store<i32>(NEAR_IDX + (<usize>i << 2), load<i32>(NEAR_IDX + (<usize>(i - 1) << 2)));
      i--;
    }
    store<i32>(NEAR_IDX + (<usize>i << 2), k);
    if (n < cap) n++;
  }
  nearCount = n;
  nearValid = true;
  return n;
}

function inNear(k: i32, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<i32>(NEAR_IDX + (<usize>i << 2)) == k) return true;
  return false;
}

export function offerPeer(id: u32): bool {
  if (id == 0 || id == selfId || id == u32.MAX_VALUE) return false;
  if (find(id) >= 0) return true;
  let k = used;
  if (used < NB_SLOTS) {
    used++;
  } else {
    // Full: maybe rotate out one random far neighbour, but only one that has already contributed
    // (tuneMinSamples samples), so every admitted peer gets to count before it is replaced.
    k = <i32>(rnd() % <u32>used);
    if (lfTotal(ring(k)) < <u32>tuneMinSamples) return false;
    if (inNear(k, computeNear())) return false;
    if (!chance(tuneReplaceShare)) return false;
    vivCount(VS_ROTATED);
  }
  nearValid = false;
  store<u32>(slot(k), id);
  store<u32>(slot(k), 0, 4);
  store<f64>(slot(k), 0, 8);
  lfClear(ring(k));
  return true;
}

export function nextProbeTarget(r: u32): u32 {
  stir(r);
  // A few tries: a pick may turn out to be a dead neighbour, which is dropped instead.
  for (let attempt = 0; attempt < 4 && used > 0; attempt++) {
    let k = -1;
    if (chance(tuneNearShare)) {
      const n = computeNear();
      if (n > 0) k = load<i32>(NEAR_IDX + (<usize>(rnd() % <u32>n) << 2));
    }
    if (k < 0) k = <i32>(rnd() % <u32>used);
    const misses = load<u32>(slot(k), 4);
    if (misses >= <u32>NB_MAX_MISSES) {
      removeAt(k);
      vivCount(VS_EVICTED);
      continue;
    }
    store<u32>(slot(k), misses + 1, 4);
    return idAt(k);
  }
  return 0;
}

export function recordSample(id: u32, rttMs: f64): i32 {
  if (!(rttMs > 0 && rttMs <= VIV_RTT_MAX)) {
    vivCount(VS_BAD_RTT);
    return 0;
  }
  let k = find(id);
  // A peer that answers exists: admit it if there is room (a probe sent outside nextProbeTarget).
  if (k < 0 && offerPeer(id)) k = find(id);
  if (k < 0) {
    vivCount(VS_UNKNOWN_PEER);
    return 0;
  }
  store<u32>(slot(k), 0, 4);
  lfPush(ring(k), rttMs);
  store<f64>(slot(k), lfValue(ring(k)), 8);
  nearValid = false;
  return lfCount(ring(k));
}

export function filteredRtt(id: u32): f64 {
  const k = find(id);
  if (k < 0 || lfCount(ring(k)) == 0) return -1;
  return rttAt(k);
}

export function gossipPick(r: u32, exclude: u32): u32 {
  stir(r);
  if (used == 0) return 0;
  let k = -1;
  if (chance(tuneGossipNearShare)) {
    const n = computeNear();
    if (n > 0) k = load<i32>(NEAR_IDX + (<usize>(rnd() % <u32>n) << 2));
  }
  if (k < 0) {
    // A random slot, moving on to the next one that has answered: never spread unverified ids.
    const start = <i32>(rnd() % <u32>used);
    for (let i = 0; i < used; i++) {
      const c = (start + i) % used;
      if (lfTotal(ring(c)) > 0) {
        k = c;
        break;
      }
    }
  }
  if (k < 0) return 0;
  const id = idAt(k);
  return id == exclude ? 0 : id;
}

export function forgetPeer(id: u32): void {
  const k = find(id);
  if (k >= 0) removeAt(k);
}
