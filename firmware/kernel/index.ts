// The Cell kernel: frames in, frames out. Owns the header, the hosted-cell table, call state,
// the peer table, pheromones and probes; everything leaves through the HAL (docs/abi.md).
import { halSend, halNow, halRandom, halCellCall, halDeliver } from "../hal/hal";
import { CborWriter, CborReader } from "../cbor/index";
import {
  HEADER_BYTES, headerCheck, headerWrite, hType, hSrc, hDst, hSpecies, hSeq, hLength,
  T_CALL, T_REPLY, T_ERROR, T_PING, T_PONG, T_ANNOUNCE, BROADCAST, R_TOO_LARGE,
} from "./header";
import {
  count, statGet, statSet, S_FRAMES_RX, S_FRAMES_TX, S_DROP_BAD_HEADER, S_DROP_NOT_FOR_ME, S_DROP_TOO_LARGE,
  S_CALLS_SERVED, S_CALL_ERRORS, S_UNKNOWN_SPECIES, S_REPLIES_DELIVERED, S_TIMEOUTS, S_UNMATCHED_REPLIES,
  S_PINGS_RX, S_PONGS_RX, S_ANNOUNCES_RX, S_PEERS_KNOWN, S_BAD_PAYLOAD, S_CALLS_SENT, S_NO_ROUTE,
  S_CALL_TABLE_FULL, S_PROBES_SENT, S_RETRIES, S_FAILOVERS, S_DUPLICATE_CALLS, S_PEER_WINDOW_FULL, S_CALLS_SHED,
  S_OVERLOAD_FAILOVERS,
} from "./stats";
import { cfg, cfgSet, C_CALL_TIMEOUT_MS, C_PROBE_INTERVAL_MS, C_ANNOUNCE_INTERVAL_MS, C_PEER_MAX_AGE_MS, C_DEFAULT_ROUTE, C_FAIL_HOLD_MS, C_CALL_ATTEMPTS,
  C_REPLAY_WINDOW_MS, C_PEER_WINDOW, C_BUSY_HOLD_MS } from "./config";
import { cellsHost, cellsUnhost, cellsSlotOf, cellsSpeciesAt, cellsCount, cellsIndexOf, MAX_CELLS } from "./cells";
import {
  callOpen, callSeq, callDst, callClose, callMatch, callExpired, callNextDeadline, callKeepPayload, callPayloadPtr,
  callPayloadLen, callSpecies, callRouted, callAttempts, callRetry, callsInFlightTo,
} from "./calls";
import { replayFind, replayStore, replayType, replayLen, replayPtr } from "./replay";
import {
  peerTouch, peerRefresh, peerFind, peerCount, peerId, peerAgeOut, peerClearSpecies, peerAddSpecies, peerSetLoad, peerMarkFailed, peerMarkBusy,
  peerLastSeen, peerLoad, peerSpare, peerHealthy, peerSpeciesCount, peerSpeciesAt, peerRemoveSpecies,
} from "./peers";
import { routeBest, routeTop } from "./routing";
import { divisionRound, callerToProbe } from "./division";
import { callersNote } from "./callers";
import { mitoSetPolicy, mitoObserve, mitoClear } from "./mitosis";
import { MITO_PERIOD_MS } from "./mitosis-config";
import { coordsInit, coordsOfferPeer, coordsNextProbe, coordsWrite, coordsReadPeer, coordsOnPong, coordsGossipPick, coordsWord, coordsDims, coordsPredictWords, coordsMeasured, predictToPeer } from "./coords";

// Error codes carried in ERROR payloads (docs/wire.md).
const E_UNKNOWN_SPECIES: u32 = 1;
const E_TOO_LARGE: u32 = 8;
const E_TIMEOUT: u32 = 9;
const E_OVERLOADED: u32 = 11;

// k_on_frame / k_call results beyond the header reasons 1..8.
const R_NOT_FOR_ME: i32 = 9;
const R_BAD_PAYLOAD: i32 = 10;
const R_UNSUPPORTED: i32 = 11;
const R_NO_ROUTE: i32 = 12;
const R_CALL_TABLE_FULL: i32 = 13;
const R_PEER_BUSY: i32 = 14;

const BUF_CAP: i32 = 2048;
const RX: usize = memory.data(BUF_CAP); // the host writes frames here (k_buf)
const TX: usize = memory.data(BUF_CAP); // frames the kernel builds while handling RX
const AUX: usize = memory.data(256); // locally generated ERROR payloads (timeouts)

let self: u32 = 0;
let nextProbe: f64 = 0;
let nextAnnounce: f64 = 0;
let nextDivision: f64 = 0;
let load: f64 = 0;
let spare: f64 = 1;
const writer = new CborWriter(TX, BUF_CAP);
const reader = new CborReader(RX, 0);
const errWriter = new CborWriter(AUX, 256); // separate from `writer`: an error may be built while TX is in use

export function k_init(node: u32, now: f64): void {
  self = node;
  coordsInit(node);
  // Spread the first probe and announcement over one interval so a swarm started at once does not pulse.
  nextProbe = now + <f64>(halRandom() % 1000) * cfg(C_PROBE_INTERVAL_MS) / 1000.0;
  nextAnnounce = now + <f64>(halRandom() % 1000) * cfg(C_ANNOUNCE_INTERVAL_MS) / 1000.0;
}

export function k_buf(): usize { return RX; }
export function k_buf_cap(): i32 { return BUF_CAP; }
export function k_stat(id: i32): u32 {
  if (id == S_PEERS_KNOWN) statSet(S_PEERS_KNOWN, <u32>peerCount());
  return statGet(id);
}
export function k_config(key: i32, value: f64): i32 { return cfgSet(key, value); }
export function k_host(slot: i32, species: u32): i32 {
  // A new replica announces itself on the next tick rather than up to an interval later.
  nextAnnounce = 0;
  return cellsHost(slot, species);
}
export function k_unhost(slot: i32): void {
  const c = cellsIndexOf(slot);
  if (c >= 0) mitoClear(c);
  cellsUnhost(slot);
}

/** The [cell.biology] policy of the cell in `slot` (cell.toml): it now divides and retires on its own. */
export function k_policy(slot: i32, cpuTarget: f64, minReplicas: i32, maxReplicas: i32): i32 {
  const c = cellsIndexOf(slot);
  if (c < 0) return -1;
  mitoSetPolicy(c, cellsSpeciesAt(c), cpuTarget, minReplicas, maxReplicas);
  return 0;
}

/** CPU share (metered instructions / node capacity) of the cell in `slot` over the last window. */
export function k_cell_load(slot: i32, share: f64): void {
  const c = cellsIndexOf(slot);
  if (c >= 0) mitoObserve(c, share, halNow());
}

/** The host's view of this node's load (CPU share) and spare capacity, both 0..1, for pheromones. */
export function k_set_load(cpuShare: f64, spareShare: f64): void {
  if (isFinite(cpuShare) && cpuShare >= 0) load = cpuShare;
  if (isFinite(spareShare) && spareShare >= 0) spare = spareShare;
}

/** Tells the kernel a node id exists (bootstrap list, DHT answer); it may probe it. */
export function k_add_peer(id: u32): void {
  if (id == self || id == 0 || id == BROADCAST) return;
  peerTouch(id, halNow());
  coordsOfferPeer(id);
}

const CONFIRM_MAX: i32 = 3;
const confirmList = new StaticArray<i32>(CONFIRM_MAX);

/**
 * Probes the nearest few replicas of `species` now, so routing can rank them by a measured RTT
 * instead of a prediction. Returns how many were probed.
 */
export function k_confirm(species: u32): i32 {
  const now = halNow();
  const n = routeTop(species, now, CONFIRM_MAX, confirmList);
  for (let i = 0; i < n; i++) pingPeer(peerId(unchecked(confirmList[i])), now);
  return n;
}

export function k_peer_count(): i32 { return peerCount(); }

/** Field `f` of peer i for `cell peers`: 0 id, 1 ms since heard, 2 load, 3 spare, 4 healthy (1/0),
 *  5 predicted RTT, 6 measured RTT (-1 if never probed), 7 species count. NaN for a bad index. */
export function k_peer(i: i32, f: i32): f64 {
  if (i < 0 || i >= peerCount()) return NaN;
  const now = halNow();
  if (f == 0) return <f64>peerId(i);
  if (f == 1) return now - peerLastSeen(i);
  if (f == 2) return peerLoad(i);
  if (f == 3) return peerSpare(i);
  if (f == 4) return peerHealthy(i, now) ? 1 : 0;
  if (f == 5) return predictToPeer(i);
  if (f == 6) return coordsMeasured(peerId(i));
  if (f == 7) return <f64>peerSpeciesCount(i);
  return NaN;
}

/** Species j advertised by peer i (0 if none). */
export function k_peer_species(i: i32, j: i32): u32 {
  return i >= 0 && i < peerCount() ? peerSpeciesAt(i, j) : 0;
}

/** Component i of this node's coordinate (dims, then height, then error estimate), for metrics. */
export function k_coord(i: i32): f64 { return coordsWord(i); }

/** Number of coordinate dimensions (the words before height and error). */
export function k_coord_dims(): i32 { return coordsDims(); }

/**
 * Predicted RTT in ms from this node to a coordinate the host wrote at k_buf as f64 words
 * (dims, height, error): the formula routing uses, exposed so host fast paths can be checked against it.
 */
export function k_predict(): f64 { return coordsPredictWords(RX); }

export function k_on_frame(len: i32): i32 {
  if (len > BUF_CAP) {
    count(S_DROP_TOO_LARGE);
    return -R_TOO_LARGE;
  }
  return onFrame(RX, len);
}

export function k_call(dst: u32, species: u32, len: i32): i32 {
  if (len < 0 || len > BUF_CAP - HEADER_BYTES) return -R_TOO_LARGE;
  const now = halNow();
  let target = dst;
  if (target == 0) {
    if (cellsSlotOf(species) >= 0) {
      target = self;
    } else {
      const p = routeBest(species, now);
      if (p >= 0) target = peerId(p);
      else if (cfg(C_DEFAULT_ROUTE) == 0) {
        count(S_NO_ROUTE);
        return -R_NO_ROUTE;
      }
    }
  }
  if (target != self && target != 0 && callsInFlightTo(target) >= <i32>cfg(C_PEER_WINDOW)) {
    count(S_PEER_WINDOW_FULL);
    return -R_PEER_BUSY;
  }
  const c = callOpen(target, species, dst == 0 && target != self, now, cfg(C_CALL_TIMEOUT_MS));
  if (c < 0) {
    count(S_CALL_TABLE_FULL);
    return -R_CALL_TABLE_FULL;
  }
  callKeepPayload(c, RX + HEADER_BYTES, len);
  const seq = callSeq(c);
  headerWrite(RX, T_CALL, 0, self, target, species, seq, <u16>len);
  count(S_CALLS_SENT);
  emit(RX, HEADER_BYTES + len, target);
  return seq;
}

export function k_tick(now: f64): f64 {
  // Calls past their deadline: the silent peer is avoided for a while; the call is sent again
  // (re-routed to the next replica if the kernel chose the first) or, out of attempts, fails.
  for (let c = callExpired(now); c >= 0; c = callExpired(now)) {
    const dst = callDst(c);
    const seq = callSeq(c);
    const p = peerFind(dst);
    if (p >= 0) peerMarkFailed(p, now + cfg(C_FAIL_HOLD_MS));
    if (callAttempts(c) < <i32>cfg(C_CALL_ATTEMPTS) && callPayloadLen(c) >= 0) {
      retryCall(c, dst, now);
      continue;
    }
    callClose(c);
    count(S_TIMEOUTS);
    const n = errorPayload(AUX, 256, E_TIMEOUT, "timeout");
    halDeliver(T_ERROR, seq, dst, AUX, n);
  }
  const probeEvery = cfg(C_PROBE_INTERVAL_MS);
  if (probeEvery > 0 && now >= nextProbe) {
    sendPing(now);
    nextProbe = now + probeEvery;
  }
  if (now >= nextDivision) {
    // A retirement is announced at once, so two replicas do not both leave for the last place above min.
    if (divisionRound(now, self)) nextAnnounce = now;
    nextDivision = now + MITO_PERIOD_MS;
    const caller = callerToProbe();
    if (caller != 0) pingPeer(caller, now);
  }
  const announceEvery = cfg(C_ANNOUNCE_INTERVAL_MS);
  if (announceEvery > 0 && now >= nextAnnounce) {
    sendAnnounce();
    // +-10% jitter keeps announcements of nodes started together from staying in phase.
    nextAnnounce = now + announceEvery * (0.9 + <f64>(halRandom() % 1000) / 5000.0);
    peerAgeOut(now, cfg(C_PEER_MAX_AGE_MS));
  }
  return k_next_wake();
}

/** The earliest time a timer or a call deadline needs a tick (Infinity if none). */
export function k_next_wake(): f64 {
  let next = callNextDeadline();
  if (cfg(C_PROBE_INTERVAL_MS) > 0 && nextProbe < next) next = nextProbe;
  if (cfg(C_ANNOUNCE_INTERVAL_MS) > 0 && nextAnnounce < next) next = nextAnnounce;
  if (cellsCount() > 0 && nextDivision < next) next = nextDivision;
  return next;
}

// ---- frames in ----

function onFrame(ptr: usize, len: i32): i32 {
  const bad = headerCheck(ptr, len);
  if (bad < 0) {
    count(S_DROP_BAD_HEADER);
    return bad;
  }
  const dst = hDst(ptr);
  if (dst != self && dst != 0 && dst != BROADCAST) {
    count(S_DROP_NOT_FOR_ME);
    return -R_NOT_FOR_ME;
  }
  count(S_FRAMES_RX);
  const src = hSrc(ptr);
  const now = halNow();
  const t = hType(ptr);
  if (src != self && src != 0 && src != BROADCAST) {
    // Calls and answers are answered by the header's src: a busy replica's callers (hundreds of
    // clients) must not churn its peer table and push out the replicas its mitosis counts.
    if (t == T_CALL || t == T_REPLY || t == T_ERROR) peerRefresh(src, now);
    else peerTouch(src, now);
  }
  if (t == T_CALL) return onCall(ptr, src, dst);
  if (t == T_REPLY || t == T_ERROR) return onAnswer(ptr, src, t);
  if (t == T_PING) return onPing(ptr, src, now);
  if (t == T_PONG) return onPong(ptr, src, now);
  if (t == T_ANNOUNCE) return onAnnounce(ptr, src, now);
  count(S_BAD_PAYLOAD);
  return -R_UNSUPPORTED;
}

function onCall(ptr: usize, src: u32, dst: u32): i32 {
  const species = hSpecies(ptr);
  const seq = hSeq(ptr);
  const now = halNow();
  const seen = replayFind(src, seq, species, now, cfg(C_REPLAY_WINDOW_MS));
  if (seen >= 0) return replayAnswer(seen, src, species, seq);
  const slot = cellsSlotOf(species);
  if (slot < 0) {
    count(S_UNKNOWN_SPECIES);
    // A broadcast call is a question to everyone: only hosts answer, the rest stay silent.
    if (dst == BROADCAST) return 0;
    const n = errorPayload(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES, E_UNKNOWN_SPECIES, "unknown species");
    headerWrite(TX, T_ERROR, 0, self, src, species, seq, <u16>n);
    emit(TX, HEADER_BYTES + n, src);
    return 0;
  }
  if (src != self && src != 0) callersNote(src);
  const r = halCellCall(slot, ptr + HEADER_BYTES, <i32>hLength(ptr), TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES);
  let type = T_REPLY;
  let n = r;
  let shed = false;
  if (r < 0) {
    type = T_ERROR;
    n = -r;
  }
  if (n > BUF_CAP - HEADER_BYTES) {
    // The host claimed more bytes than the buffer holds: answer with an error rather than overrun.
    type = T_ERROR;
    n = errorPayload(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES, E_TOO_LARGE, "result too large");
  } else if (type == T_ERROR) {
    shed = errorCode(TX + HEADER_BYTES, n) == E_OVERLOADED;
  }
  count(type == T_REPLY ? S_CALLS_SERVED : shed ? S_CALLS_SHED : S_CALL_ERRORS);
  // A shed call never ran: a retransmission may run it, so its answer is not replayed.
  if (!shed) replayStore(src, seq, species, type, TX + HEADER_BYTES, n, now);
  headerWrite(TX, type, 0, self, src, species, seq, <u16>n);
  emit(TX, HEADER_BYTES + n, src);
  return 0;
}

/** A retransmitted CALL: the stored answer again, never a second execution. */
function replayAnswer(slot: i32, src: u32, species: u32, seq: u16): i32 {
  count(S_DUPLICATE_CALLS);
  let type = replayType(slot);
  let n = replayLen(slot);
  if (n >= 0) {
    memory.copy(TX + HEADER_BYTES, replayPtr(slot), <usize>n);
  } else {
    type = T_ERROR;
    n = errorPayload(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES, E_TOO_LARGE, "duplicate call: executed once, answer too large to replay");
  }
  headerWrite(TX, type, 0, self, src, species, seq, <u16>n);
  emit(TX, HEADER_BYTES + n, src);
  return 0;
}

/** Sends call c again, to the next-best replica when routing chose the first, with a doubled timeout. */
function retryCall(c: i32, dst: u32, now: f64): void {
  let target = dst;
  if (callRouted(c)) {
    const q = routeBest(callSpecies(c), now);
    if (q >= 0 && peerId(q) != dst) {
      target = peerId(q);
      count(S_FAILOVERS);
    }
  }
  const timeout = cfg(C_CALL_TIMEOUT_MS) * <f64>(1 << callAttempts(c));
  callRetry(c, target, now, timeout);
  count(S_RETRIES);
  const len = callPayloadLen(c);
  memory.copy(TX + HEADER_BYTES, callPayloadPtr(c), <usize>len);
  headerWrite(TX, T_CALL, 0, self, target, callSpecies(c), callSeq(c), <u16>len);
  emit(TX, HEADER_BYTES + len, target);
}

function onAnswer(ptr: usize, src: u32, type: u8): i32 {
  const c = callMatch(hSeq(ptr), src);
  if (c < 0) {
    count(S_UNMATCHED_REPLIES);
    return 0;
  }
  if (type == T_ERROR) {
    const code = errorCode(ptr + HEADER_BYTES, <i32>hLength(ptr));
    const now = halNow();
    if (code == E_OVERLOADED && callRouted(c) && callPayloadLen(c) >= 0 && callAttempts(c) < <i32>cfg(C_CALL_ATTEMPTS)) {
      // Shed, not run: prefer the other replicas for a while and send it to one of them now.
      const p = peerFind(src);
      if (p >= 0) peerMarkBusy(p, now + cfg(C_BUSY_HOLD_MS));
      count(S_OVERLOAD_FAILOVERS);
      retryCall(c, src, now);
      return 0;
    }
    if (code == E_UNKNOWN_SPECIES) forgetSpecies(src, hSpecies(ptr));
  }
  callClose(c);
  count(S_REPLIES_DELIVERED);
  halDeliver(type, hSeq(ptr), src, ptr + HEADER_BYTES, <i32>hLength(ptr));
  return 0;
}

/** An UNKNOWN_SPECIES answer means the peer no longer hosts it (retired): stop routing there. */
function forgetSpecies(src: u32, species: u32): void {
  const p = peerFind(src);
  if (p >= 0) peerRemoveSpecies(p, species);
}

/** The code of the ERROR payload [code, message] at ptr, or 0 if it does not decode. */
function errorCode(ptr: usize, len: i32): u32 {
  reader.reset(ptr, len);
  if (reader.readArrayHeader() < 1) return 0;
  const code = reader.readU32();
  return reader.error == 0 ? code : 0;
}

function onPing(ptr: usize, src: u32, now: f64): i32 {
  count(S_PINGS_RX);
  // PING = [t_sent]; PONG = [t_sent echoed, coordinate, a peer id for gossip].
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const tSent = reader.readF64();
  if (reader.error != 0 || n < 1) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  coordsOfferPeer(src);
  writer.reset(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES);
  writer.arrayHeader(5);
  writer.f64(tSent);
  coordsWrite(writer);
  writer.uint(<u64>coordsGossipPick(halRandom(), src));
  // Pheromones ride on probe answers too: the prober learns this node's load and spare capacity.
  writer.f64(load);
  writer.f64(spare);
  headerWrite(TX, T_PONG, 0, self, src, 0, hSeq(ptr), <u16>writer.length);
  emit(TX, HEADER_BYTES + writer.length, src);
  return 0;
}

function onPong(ptr: usize, src: u32, now: f64): i32 {
  count(S_PONGS_RX);
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const tSent = reader.readF64();
  if (reader.error != 0 || (n != 3 && n != 5)) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const rtt = now - tSent;
  const p = peerTouch(src, now);
  if (!coordsOnPong(src, rtt, reader, p)) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const gossip = reader.readU32();
  if (reader.error == 0 && gossip != 0 && gossip != self && gossip != BROADCAST) coordsOfferPeer(gossip);
  if (n == 5) {
    const l = reader.readF64();
    const s = reader.readF64();
    if (reader.error == 0 && l >= 0 && s >= 0) peerSetLoad(p, l, s);
  }
  return 0;
}

function onAnnounce(ptr: usize, src: u32, now: f64): i32 {
  count(S_ANNOUNCES_RX);
  // ANNOUNCE = [[species...], load, spare, coordinate] (docs/wire.md, pheromones).
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const p = peerTouch(src, now);
  if (reader.readArrayHeader() != 4) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const ns = reader.readArrayHeader();
  peerClearSpecies(p);
  for (let i = 0; i < ns && reader.error == 0; i++) peerAddSpecies(p, reader.readU32());
  const l = reader.readF64();
  const s = reader.readF64();
  const ok = coordsReadPeer(reader, p);
  if (reader.error != 0 || !ok) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  peerSetLoad(p, l, s);
  coordsOfferPeer(src);
  return 0;
}

// ---- frames out ----

function emit(ptr: usize, len: i32, dst: u32): void {
  count(S_FRAMES_TX);
  // A frame to ourselves never leaves the node (a local replica answers a local caller).
  if (dst == self) onFrame(ptr, len);
  else halSend(ptr, len);
}

function sendPing(now: f64): void {
  const target = coordsNextProbe(halRandom());
  if (target != 0) pingPeer(target, now);
}

function pingPeer(target: u32, now: f64): void {
  writer.reset(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES);
  writer.arrayHeader(1);
  writer.f64(now);
  headerWrite(TX, T_PING, 0, self, target, 0, 0, <u16>writer.length);
  count(S_PROBES_SENT);
  emit(TX, HEADER_BYTES + writer.length, target);
}

function sendAnnounce(): void {
  writer.reset(TX + HEADER_BYTES, BUF_CAP - HEADER_BYTES);
  writer.arrayHeader(4);
  writer.arrayHeader(cellsCount());
  for (let i = 0; i < MAX_CELLS; i++) {
    const s = cellsSpeciesAt(i);
    if (s != 0) writer.uint(<u64>s);
  }
  writer.f64(load);
  writer.f64(spare);
  coordsWrite(writer);
  headerWrite(TX, T_ANNOUNCE, 0, self, BROADCAST, 0, 0, <u16>writer.length);
  emit(TX, HEADER_BYTES + writer.length, BROADCAST);
}

/** Writes an ERROR payload [code, message] at ptr; returns its length. */
function errorPayload(ptr: usize, cap: i32, code: u32, message: string): i32 {
  const w = errWriter;
  w.reset(ptr, cap);
  w.arrayHeader(2);
  w.uint(<u64>code);
  w.text(message);
  return w.length;
}
