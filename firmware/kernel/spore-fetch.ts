// The spore fetch (docs/spores.md, Transfer): every decision of a transfer lives here, so a board
// receives spores as a host does. Per fetch: the chunks in (a bitmap), the holders (hinted by the
// host or announcing the species), the current holder (nearest by measured or predicted RTT), a
// window of requests in flight with timeouts from the measured RTT, failover after
// sporeAttempts timeouts in a row or a NOT_HELD, and demotion of a holder whose chunk does not
// verify. Only verified chunks reach the host (hal.spore_put); hal.spore_done ends every fetch.
import { halSporePut, halSporeDone } from "../hal/hal";
import {
  HEADER_BYTES, T_SPORE_GET, R_BAD_PAYLOAD, S_BAD_PAYLOAD, S_SPORE_CHUNKS_RX, S_SPORE_BAD_CHUNKS, S_SPORE_HOLDERS_DEMOTED,
  S_SPORE_TIMEOUTS, S_SPORE_FETCHES_DONE, S_SPORE_FETCHES_FAILED, C_SPORE_WINDOW, C_SPORE_ATTEMPTS,
  SPORE_HASH_BYTES, SPORE_CHUNK_BYTES, SPORE_MAX_BYTES, SPORE_MAX_FETCHES, SPORE_MAX_HOLDERS, SPORE_MAX_WINDOW,
  SPORE_GET_PADDED_BYTES, SPORE_NOT_HELD, SPORE_BUSY, SPORE_UNPADDED, FETCH_OK, FETCH_NO_HOLDER,
} from "../protocol/table";
import { hLength } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { peerCount, peerId, peerHosts, peerFind } from "./peers";
import { peerRtt } from "./routing";
import { rttSample, rtoFor } from "./call-rtt";
import { TX_PAYLOAD, PAYLOAD_CAP, writer, reader } from "./frame-buffers";
import { sendTx } from "./frame-out";
import { hasIdentity, isOtherNode } from "./self-node";
import { sessionOf } from "./sessions";
import { proofValid, chunkLen } from "./spore-proof";
import { KERNEL_SPORE_FETCHES } from "./target-tables";

const F = KERNEL_SPORE_FETCHES; // SPORE_MAX_FETCHES on a host, MCU_SPORE_FETCHES on a board
const H = SPORE_MAX_HOLDERS;
const W = SPORE_MAX_WINDOW;
const BITMAP_BYTES: i32 = SPORE_MAX_BYTES / SPORE_CHUNK_BYTES / 8;
// A holder given up on is remembered (never asked again in this fetch) in a list this long.
const DEAD = 2 * SPORE_MAX_HOLDERS;

const active = new StaticArray<bool>(F);
const species = new StaticArray<u32>(F);
const sizes = new StaticArray<i32>(F);
const chunks = new StaticArray<i32>(F);
const have = new StaticArray<i32>(F);
// Every chunk below this index is held: the next-chunk scan starts here, not at 0.
const low = new StaticArray<i32>(F);
const keys: usize = memory.data(F * 2 * SPORE_HASH_BYTES); // hash, then chunk root, per fetch
const bitmaps: usize = memory.data(F * BITMAP_BYTES);
const hints = new StaticArray<u32>(F * H);
const hintCount = new StaticArray<i32>(F);
const dead = new StaticArray<u32>(F * DEAD);
const deadCount = new StaticArray<i32>(F);
const holder = new StaticArray<u32>(F); // 0: none chosen
const misses = new StaticArray<i32>(F); // timeouts in a row from the current holder
const busyRow = new StaticArray<i32>(F); // BUSY answers in a row from the current holder
// A holder that answers only BUSY is given up on after this many in a row.
const MAX_BUSY_ROW: i32 = 64;
// A BUSY request is asked again after this long (the serve rate is per second), not counted as lost.
const BUSY_BACKOFF_MS: f64 = 250;
const flightIdx = new StaticArray<i32>(F * W);
const flightAt = new StaticArray<f64>(F * W);
const flightDue = new StaticArray<f64>(F * W);
const flightBusy = new StaticArray<bool>(F * W);
const flightN = new StaticArray<i32>(F);
let nextSeq: u16 = 1;

@inline function hashPtr(f: i32): usize { return keys + <usize>(f * 2 * SPORE_HASH_BYTES); }
@inline function rootPtr(f: i32): usize { return hashPtr(f) + SPORE_HASH_BYTES; }
@inline function hasChunk(f: i32, i: i32): bool {
  return (load<u8>(bitmaps + <usize>(f * BITMAP_BYTES + (i >> 3))) & (1 << (i & 7))) != 0;
}

/**
 * Starts a fetch of the `size`-byte module whose hash and chunk root (32 bytes each) are at src;
 * returns its handle, or -1 if the size is out of range or SPORE_MAX_FETCHES are running.
 */
export function fetchStart(src: usize, sp: u32, size: i32): i32 {
  if (size <= 0 || size > SPORE_MAX_BYTES) return -1;
  for (let f = 0; f < F; f++) {
    if (unchecked(active[f])) continue;
    unchecked(active[f] = true);
    unchecked(species[f] = sp);
    unchecked(sizes[f] = size);
    unchecked(chunks[f] = (size + SPORE_CHUNK_BYTES - 1) / SPORE_CHUNK_BYTES);
    unchecked(have[f] = 0);
    unchecked(low[f] = 0);
    memory.copy(hashPtr(f), src, 2 * SPORE_HASH_BYTES);
    memory.fill(bitmaps + <usize>(f * BITMAP_BYTES), 0, BITMAP_BYTES);
    unchecked(hintCount[f] = 0);
    unchecked(deadCount[f] = 0);
    unchecked(holder[f] = 0);
    unchecked(misses[f] = 0);
    unchecked(busyRow[f] = 0);
    unchecked(flightN[f] = 0);
    return f;
  }
  return -1;
}

@inline function live(f: i32): bool { return f >= 0 && f < F && unchecked(active[f]); }

/** A node that should hold the module (the spawner, a DHT answer); 0, or -1 if the list is full or the handle is not a fetch. */
export function fetchHint(f: i32, node: u32): i32 {
  if (!live(f) || !isOtherNode(node)) return -1;
  const n = unchecked(hintCount[f]);
  for (let j = 0; j < n; j++) if (unchecked(hints[f * H + j]) == node) return 0;
  if (n >= H) return -1;
  unchecked(hints[f * H + n] = node);
  unchecked(hintCount[f] = n + 1);
  return 0;
}

/** The host already holds chunk `index` (a fetch cut off and restarted): it is not asked for. Returns 0, or -1. */
export function fetchHave(f: i32, index: i32): i32 {
  if (!live(f) || index < 0 || index >= unchecked(chunks[f])) return -1;
  markHave(f, index);
  return 0;
}

function markHave(f: i32, i: i32): void {
  if (hasChunk(f, i)) return;
  const p = bitmaps + <usize>(f * BITMAP_BYTES + (i >> 3));
  store<u8>(p, <u8>(<i32>load<u8>(p) | (1 << (i & 7))));
  unchecked(have[f] += 1);
}

function isDead(f: i32, node: u32): bool {
  const n = unchecked(deadCount[f]);
  for (let j = 0; j < n; j++) if (unchecked(dead[f * DEAD + j]) == node) return true;
  return false;
}

/** Gives up on a holder for the rest of the fetch. */
function demote(f: i32, node: u32): void {
  if (!isDead(f, node)) {
    count(S_SPORE_HOLDERS_DEMOTED);
    // A full list forgets nobody: the holder is simply not recorded, and may be asked again.
    if (unchecked(deadCount[f]) < DEAD) {
      unchecked(dead[f * DEAD + deadCount[f]] = node);
      unchecked(deadCount[f] += 1);
    }
  }
  if (unchecked(holder[f]) == node) {
    unchecked(holder[f] = 0);
    unchecked(flightN[f] = 0); // its requests in flight are asked of the next holder
  }
}

function rttOf(node: u32): f64 {
  const p = peerFind(node);
  return p >= 0 ? peerRtt(p) : Infinity;
}

/** The nearest holder not given up on: hinted ones, then peers announcing the species; 0 if none. */
function pickHolder(f: i32): u32 {
  let best: u32 = 0;
  let bestRtt = Infinity;
  const n = unchecked(hintCount[f]);
  for (let j = 0; j < n; j++) {
    const id = unchecked(hints[f * H + j]);
    const r = rttOf(id);
    if (!isDead(f, id) && (best == 0 || r < bestRtt)) { best = id; bestRtt = r; }
  }
  const sp = unchecked(species[f]);
  const pc = peerCount();
  for (let i = 0; i < pc; i++) {
    if (!peerHosts(i, sp)) continue;
    const id = peerId(i);
    const r = peerRtt(i);
    if (!isDead(f, id) && (best == 0 || r < bestRtt)) { best = id; bestRtt = r; }
  }
  return best;
}

function finish(f: i32, status: i32): void {
  unchecked(active[f] = false);
  count(status == FETCH_OK ? S_SPORE_FETCHES_DONE : S_SPORE_FETCHES_FAILED);
  halSporeDone(f, status);
}

function inFlight(f: i32, i: i32): bool {
  const n = unchecked(flightN[f]);
  for (let j = 0; j < n; j++) if (unchecked(flightIdx[f * W + j]) == i) return true;
  return false;
}

function dropFlight(f: i32, j: i32): void {
  const last = unchecked(flightN[f]) - 1;
  unchecked(flightIdx[f * W + j] = flightIdx[f * W + last]);
  unchecked(flightAt[f * W + j] = flightAt[f * W + last]);
  unchecked(flightDue[f * W + j] = flightDue[f * W + last]);
  unchecked(flightBusy[f * W + j] = flightBusy[f * W + last]);
  unchecked(flightN[f] = last);
}

/** Fills the window: the lowest missing chunks not in flight, to the current holder (chosen if none). */
function pump(f: i32, now: f64): void {
  if (!unchecked(active[f])) return;
  if (unchecked(have[f]) == unchecked(chunks[f])) {
    finish(f, FETCH_OK);
    return;
  }
  let h = unchecked(holder[f]);
  if (h == 0) {
    h = pickHolder(f);
    if (h == 0) {
      finish(f, FETCH_NO_HOLDER);
      return;
    }
    unchecked(holder[f] = h);
    unchecked(misses[f] = 0);
    unchecked(busyRow[f] = 0);
  }
  const window = <i32>min(max(cfg(C_SPORE_WINDOW), 1), <f64>W);
  const n = unchecked(chunks[f]);
  let i = unchecked(low[f]);
  while (i < n && hasChunk(f, i)) i++;
  unchecked(low[f] = i);
  while (unchecked(flightN[f]) < window) {
    while (i < n && (hasChunk(f, i) || inFlight(f, i))) i++;
    if (i >= n) return;
    sendGet(f, h, i);
    const j = unchecked(flightN[f]);
    unchecked(flightIdx[f * W + j] = i);
    unchecked(flightAt[f * W + j] = now);
    unchecked(flightDue[f * W + j] = now + rtoFor(h));
    unchecked(flightBusy[f * W + j] = false);
    unchecked(flightN[f] = j + 1);
    i++;
  }
}

function sendGet(f: i32, dst: u32, i: i32): void {
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  // A frame that will not carry an AUTH trailer is padded, so the answer is at most 3x the request.
  const bare = !hasIdentity || sessionOf(dst) < 0;
  writer.arrayHeader(bare ? 3 : 2);
  writer.bytesRaw(hashPtr(f), SPORE_HASH_BYTES);
  writer.uint(<u64>i);
  if (bare) {
    const pad = SPORE_GET_PADDED_BYTES - HEADER_BYTES - writer.length - 3;
    writer.bytesRaw(TX_PAYLOAD + 64, pad); // the bytes are not read; what is there is sent
  }
  sendTx(T_SPORE_GET, dst, unchecked(species[f]), nextSeq++, writer.length);
}

/** SPORE_DATA: a chunk (verified, then handed to the host) or a refusal. */
export function onSporeData(ptr: usize, src: u32, now: f64): i32 {
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const items = reader.readArrayHeader();
  const hl = reader.readBytesRaw();
  const hp = reader.lastPtr;
  const index = reader.readU32();
  if (reader.error != 0 || (items != 3 && items != 4) || hl != SPORE_HASH_BYTES) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  let f = -1;
  for (let k = 0; k < F; k++) if (unchecked(active[k]) && memory.compare(hashPtr(k), hp, SPORE_HASH_BYTES) == 0) f = k;
  if (f < 0) return 0; // late: the fetch ended
  const i = <i32>index;
  if (items == 3) {
    const reason = reader.readU32();
    if (reader.error != 0) {
      count(S_BAD_PAYLOAD);
      return -R_BAD_PAYLOAD;
    }
    // NOT_HELD (or an unpadded refusal we do not expect): this holder is no use. BUSY: ask again on timeout.
    if (reason == SPORE_NOT_HELD || reason == SPORE_UNPADDED) demote(f, src);
    else if (reason == SPORE_BUSY && src == unchecked(holder[f])) {
      unchecked(busyRow[f] += 1);
      if (unchecked(busyRow[f]) > MAX_BUSY_ROW) demote(f, src);
      else {
        const fn = unchecked(flightN[f]);
        for (let j = 0; j < fn; j++) {
          if (unchecked(flightIdx[f * W + j]) != i) continue;
          unchecked(flightDue[f * W + j] = now + BUSY_BACKOFF_MS);
          unchecked(flightBusy[f * W + j] = true);
        }
      }
    }
    pump(f, now);
    return 0;
  }
  const cl = reader.readBytesRaw();
  const cp = reader.lastPtr;
  const pl = reader.readBytesRaw();
  const pp = reader.lastPtr;
  if (reader.error != 0) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const n = unchecked(chunks[f]);
  if (index >= <u32>n || hasChunk(f, i)) {
    pump(f, now);
    return 0;
  }
  if (cl != chunkLen(unchecked(sizes[f]), n, i) || !proofValid(rootPtr(f), n, i, cp, cl, pp, pl)) {
    count(S_SPORE_BAD_CHUNKS);
    demote(f, src);
    pump(f, now);
    return 0;
  }
  const fn = unchecked(flightN[f]);
  for (let j = 0; j < fn; j++) {
    if (unchecked(flightIdx[f * W + j]) != i) continue;
    rttSample(src, now - unchecked(flightAt[f * W + j]), now);
    dropFlight(f, j);
    break;
  }
  if (src == unchecked(holder[f])) {
    unchecked(misses[f] = 0);
    unchecked(busyRow[f] = 0);
  }
  count(S_SPORE_CHUNKS_RX);
  markHave(f, i);
  halSporePut(f, i, cp, cl);
  pump(f, now);
  return 0;
}

/** Timeouts: a lost request is asked again; sporeAttempts in a row and the holder is given up on. */
export function fetchTimers(now: f64): void {
  for (let f = 0; f < F; f++) {
    if (!unchecked(active[f])) continue;
    let j = 0;
    while (j < unchecked(flightN[f])) {
      if (unchecked(flightDue[f * W + j]) > now) {
        j++;
        continue;
      }
      const busy = unchecked(flightBusy[f * W + j]);
      dropFlight(f, j);
      if (busy) continue; // refused BUSY: asked again, not lost
      count(S_SPORE_TIMEOUTS);
      unchecked(misses[f] += 1);
      if (<f64>unchecked(misses[f]) >= cfg(C_SPORE_ATTEMPTS) && unchecked(holder[f]) != 0) {
        demote(f, unchecked(holder[f]));
        break;
      }
    }
    pump(f, now);
  }
}

/** The earliest request deadline of any fetch (Infinity if none). */
export function fetchNextDeadline(): f64 {
  let next = Infinity;
  for (let f = 0; f < F; f++) {
    if (!unchecked(active[f])) continue;
    const n = unchecked(flightN[f]);
    for (let j = 0; j < n; j++) next = min(next, unchecked(flightDue[f * W + j]));
  }
  return next;
}

/** Sends the first requests of a fetch (after its hints and the chunks already held are known). */
export function fetchGo(f: i32, now: f64): i32 {
  if (!live(f)) return -1;
  pump(f, now);
  return 0;
}
