// The spore fetch (docs/spores.md, Transfer): every decision of a transfer lives here, so a board
// receives spores as a host does. Per fetch: the chunks in (a bitmap), the holders (hinted by the
// host or announcing the species), the current holder (nearest by measured or predicted RTT), a
// window of requests in flight (each for a run of up to sporeRun chunks) with timeouts from the
// measured RTT, failover after sporeAttempts timeouts in a row or a NOT_HELD, and demotion of a
// holder whose run does not verify. Only verified chunks reach the host (hal.spore_put);
// hal.spore_done ends every fetch.
import { halSporePut, halSporeDone } from "../hal/hal";
import {
  HEADER_BYTES, T_SPORE_GET, R_BAD_PAYLOAD, S_BAD_PAYLOAD, S_SPORE_CHUNKS_RX, S_SPORE_BAD_CHUNKS, S_SPORE_HOLDERS_DEMOTED,
  S_SPORE_TIMEOUTS, S_SPORE_FETCHES_DONE, S_SPORE_FETCHES_FAILED, C_SPORE_WINDOW, C_SPORE_ATTEMPTS, C_SPORE_RUN,
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
import { runValid, runChunks, chunkLen } from "./spore-proof";
import { KERNEL_SPORE_FETCHES, KERNEL_SPORE_RUN, KERNEL_SPORE_ASK } from "./target-tables";

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
// Runs' state, in one block a board's build does without (4 bytes: its memory top leaves no more):
// the chunks asked for per request (i32s), then per fetch the run it may ask for now and the runs
// in a row that came in (two i32s). A lost request drops the run to one chunk, RUN_GROW_AFTER in a
// row double it: a large frame crosses a LAN as up to 28 fragments and is lost if any one is (at 1%
// datagram loss a run of 32 is lost one time in four, a run of 4 one time in thirty), so a lossy
// path settles on runs it carries; and single chunks tell a dead holder (they are lost too, and it
// is given up on) from a path that drops large frames (they arrive) one timeout after the run.
// The same block holds, per fetch, the peers asked on request (an i32: see pickHolder).
const flightCnt: usize = memory.data(KERNEL_SPORE_RUN > 1 ? F * W * 4 + F * 12 : 4);
const runState: usize = flightCnt + <usize>(F * W * 4);
const RUN_GROW_AFTER: i32 = 4;
@inline function runCapPtr(f: i32): usize { return runState + <usize>(f * 12); }
@inline function runOkPtr(f: i32): usize { return runState + <usize>(f * 12 + 4); }
@inline function askedPtr(f: i32): usize { return runState + <usize>(f * 12 + 8); }
// Asking peers on request lives in the runs' block, so only a build with runs has it.
const ASK: i32 = KERNEL_SPORE_RUN > 1 ? KERNEL_SPORE_ASK : 0;
const flightAt = new StaticArray<f64>(F * W);
const flightDue = new StaticArray<f64>(F * W);
// A request whose timeout is not a loss: refused BUSY (asked again later), or, on a host kernel,
// sent before the last loss was counted (so a window of requests lost together is one loss, not
// sporeAttempts of them: a peer without a session yet drops them all while the handshake runs).
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
    if (ASK > 0) store<i32>(askedPtr(f), 0);
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

/**
 * The nearest holder not given up on: hinted ones, then peers announcing the species; 0 if none.
 * With neither left, a host kernel asks the nearest peer not given up on, up to KERNEL_SPORE_ASK
 * of them a fetch: pheromones name the species a node hosts, not the spores its cache holds, so
 * those are found on request. A peer that holds the module answers chunks; one that does not
 * answers NOT_HELD (given up on at once), and a silent one is given up on after its timeouts.
 */
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
  if (ASK > 0 && best == 0 && load<i32>(askedPtr(f)) < ASK) {
    for (let i = 0; i < pc; i++) {
      const id = peerId(i);
      const r = peerRtt(i);
      if (isOtherNode(id) && !isDead(f, id) && (best == 0 || r < bestRtt)) { best = id; bestRtt = r; }
    }
    if (best != 0) store<i32>(askedPtr(f), load<i32>(askedPtr(f)) + 1);
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
  for (let j = 0; j < n; j++) {
    const at = unchecked(flightIdx[f * W + j]);
    if (KERNEL_SPORE_RUN == 1 ? i == at : i >= at && i < at + load<i32>(flightCnt + <usize>((f * W + j) << 2))) return true;
  }
  return false;
}

/** Chunks to ask for at i: the largest aligned block up to `run` whose chunks are all missing and not asked for. */
function blockAt(f: i32, i: i32, run: i32): i32 {
  const n = unchecked(chunks[f]);
  let c = run;
  while (c > 1) {
    let free = (i & (c - 1)) == 0;
    for (let j = i + 1; free && j < min(i + c, n); j++) free = !hasChunk(f, j) && !inFlight(f, j);
    if (free) break;
    c >>= 1;
  }
  return c;
}

/** Chunks per request to this holder: sporeRun, at most the fetch's run now, rounded down to a power of two; 1 without a session (the 3x rule). */
function runFor(f: i32, dst: u32): i32 {
  if (KERNEL_SPORE_RUN == 1 || !hasIdentity || sessionOf(dst) < 0) return 1;
  const want = <i32>min(max(cfg(C_SPORE_RUN), 1), <f64>load<i32>(runCapPtr(f)));
  return 1 << (31 - clz(want));
}

function dropFlight(f: i32, j: i32): void {
  const last = unchecked(flightN[f]) - 1;
  unchecked(flightIdx[f * W + j] = flightIdx[f * W + last]);
  if (KERNEL_SPORE_RUN > 1) store<i32>(flightCnt + <usize>((f * W + j) << 2), load<i32>(flightCnt + <usize>((f * W + last) << 2)));
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
    // A new holder, a new path: its run starts at the most it may be.
    if (KERNEL_SPORE_RUN > 1) {
      store<i32>(runCapPtr(f), KERNEL_SPORE_RUN);
      store<i32>(runOkPtr(f), 0);
    }
  }
  const window = <i32>min(max(cfg(C_SPORE_WINDOW), 1), <f64>W);
  const run = runFor(f, h);
  const n = unchecked(chunks[f]);
  let i = unchecked(low[f]);
  while (i < n && hasChunk(f, i)) i++;
  unchecked(low[f] = i);
  // Runs: at most max(window, two runs) chunks in flight. Two keep both ends busy; more would
  // overrun a receive buffer (a loopback socket holds about 200 KB) and lose whole runs.
  let flying = 0;
  if (KERNEL_SPORE_RUN > 1) for (let j = 0; j < unchecked(flightN[f]); j++) flying += load<i32>(flightCnt + <usize>((f * W + j) << 2));
  while (unchecked(flightN[f]) < window) {
    while (i < n && (hasChunk(f, i) || inFlight(f, i))) i++;
    if (i >= n) return;
    const c = run > 1 ? blockAt(f, i, run) : 1;
    if (KERNEL_SPORE_RUN > 1 && run > 1) {
      if (flying > 0 && flying + c > max(window, 2 * run)) return;
      flying += c;
    }
    sendGet(f, h, i, c);
    const j = unchecked(flightN[f]);
    unchecked(flightIdx[f * W + j] = i);
    if (KERNEL_SPORE_RUN > 1) store<i32>(flightCnt + <usize>((f * W + j) << 2), c);
    unchecked(flightAt[f * W + j] = now);
    unchecked(flightDue[f * W + j] = now + rtoFor(h));
    unchecked(flightBusy[f * W + j] = false);
    unchecked(flightN[f] = j + 1);
    i += c;
  }
}

/** SPORE_GET [hash, index(, count)(, padding)]: count only above 1, padding only without a session. */
function sendGet(f: i32, dst: u32, i: i32, c: i32): void {
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  // A frame that will not carry an AUTH trailer is padded, so the answer is at most 3x the request.
  const bare = !hasIdentity || sessionOf(dst) < 0;
  writer.arrayHeader((bare ? 3 : 2) + (c > 1 ? 1 : 0));
  writer.bytesRaw(hashPtr(f), SPORE_HASH_BYTES);
  writer.uint(<u64>i);
  if (c > 1) writer.uint(<u64>c);
  if (bare) {
    const pad = SPORE_GET_PADDED_BYTES - HEADER_BYTES - writer.length - 3;
    writer.bytesRaw(TX_PAYLOAD + 64, pad); // the bytes are not read; what is there is sent
  }
  sendTx(T_SPORE_GET, dst, unchecked(species[f]), nextSeq++, writer.length);
}

/**
 * What a SPORE_DATA of `len` chunk bytes at `index` is: -1 nothing to check (a duplicate, a late
 * answer, an index beyond the module), 0 no run of this module, else its chunks (spore-proof.ts).
 */
function arrived(f: i32, index: u32, len: i32): i32 {
  const n = unchecked(chunks[f]);
  if (index >= <u32>n) return -1;
  const i = <i32>index;
  // A board's runs are one chunk: its build keeps only that path (the mcu size budget).
  if (KERNEL_SPORE_RUN == 1) return hasChunk(f, i) ? -1 : len == chunkLen(unchecked(sizes[f]), n, i) ? 1 : 0;
  const k = runChunks(unchecked(sizes[f]), n, i, len);
  let held = k > 0;
  for (let j = 0; held && j < k; j++) held = hasChunk(f, i + j);
  return held ? -1 : k;
}

/** SPORE_DATA: a run of chunks (verified, then handed to the host) or a refusal. */
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
  const k = arrived(f, index, cl);
  if (k < 0) {
    pump(f, now);
    return 0;
  }
  if (k == 0 || !runValid(rootPtr(f), n, i, cp, KERNEL_SPORE_RUN == 1 ? 1 : k, KERNEL_SPORE_RUN == 1 ? cl : cl - (k - 1) * SPORE_CHUNK_BYTES, pp, pl)) {
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
    // Only a run of the size asked for now counts towards growing it: answers to smaller requests
    // still in flight say nothing of whether the path carries the larger.
    const cap = KERNEL_SPORE_RUN > 1 ? load<i32>(runCapPtr(f)) : 1;
    if (KERNEL_SPORE_RUN > 1 && k >= cap) {
      const ok = load<i32>(runOkPtr(f)) + 1;
      store<i32>(runOkPtr(f), ok >= RUN_GROW_AFTER ? 0 : ok);
      if (ok >= RUN_GROW_AFTER && cap < KERNEL_SPORE_RUN) store<i32>(runCapPtr(f), cap << 1);
    }
  }
  if (KERNEL_SPORE_RUN == 1) {
    count(S_SPORE_CHUNKS_RX);
    markHave(f, i);
    halSporePut(f, i, cp, cl);
  } else for (let j = 0; j < k; j++) {
    if (hasChunk(f, i + j)) continue; // a chunk that came in another run: handed over once
    count(S_SPORE_CHUNKS_RX);
    markHave(f, i + j);
    halSporePut(f, i + j, cp + <usize>(j * SPORE_CHUNK_BYTES), j == k - 1 ? cl - j * SPORE_CHUNK_BYTES : SPORE_CHUNK_BYTES);
  }
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
      // A lost run may be a path that drops large frames, not a dead holder: the holder is given
      // up on only once the lost request was a single chunk.
      let single = true;
      if (KERNEL_SPORE_RUN > 1) single = load<i32>(flightCnt + <usize>((f * W + j) << 2)) == 1;
      dropFlight(f, j);
      if (busy) continue; // refused BUSY, or asked before the last loss: asked again, not lost
      count(S_SPORE_TIMEOUTS);
      unchecked(misses[f] += 1);
      if (KERNEL_SPORE_RUN > 1) {
        store<i32>(runCapPtr(f), 1);
        store<i32>(runOkPtr(f), 0);
        // The requests still in flight went out before this loss: theirs are not new ones.
        for (let o = 0; o < unchecked(flightN[f]); o++) unchecked(flightBusy[f * W + o] = true);
      }
      if (<f64>unchecked(misses[f]) >= cfg(C_SPORE_ATTEMPTS) && single && unchecked(holder[f]) != 0) {
        demote(f, unchecked(holder[f]));
        break;
      }
    }
    pump(f, now);
  }
}

/**
 * A session with `peer` is up (its WELCOME). A host kernel's requests to a peer it had no session
 * with were dropped unsent while the handshake ran: the fetches asking it ask again now, not after
 * their timeout (2 s before an RTT is measured). A WELCOME that rekeys a session may repeat a
 * request or two; the duplicate answers are ignored.
 */
export function fetchSessionUp(peer: u32, now: f64): void {
  for (let f = 0; f < F; f++) {
    if (!unchecked(active[f]) || unchecked(holder[f]) != peer) continue;
    unchecked(flightN[f] = 0);
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
