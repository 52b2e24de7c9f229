// The Cell kernel: frames in, frames out. This file is the kernel's ABI (docs/abi.md): each
// export hands over to the file that owns the idea; everything leaves through the HAL.
import { halNow, halRandom } from "../hal/hal";
import { R_TOO_LARGE, S_DROP_TOO_LARGE, S_PEERS_KNOWN, HEADER_BYTES, protocolValue } from "../protocol/table";
import { count, statGet, statSet } from "./stats";
import { cfgSet } from "./config";
import { cellsHost, cellsUnhost, cellsSpeciesAt, cellsIndexOf } from "./cells";
import { peerTouch, peerCount, peerSpeciesAt } from "./peers";
import { mitoSetPolicy, mitoObserve, mitoClear } from "./mitosis";
import { vivInit, offerPeer, vivWord, vivaldiPredict, VIV_DIMS } from "./vivaldi-node";
import { BUF_CAP, RX } from "./frame-buffers";
import { setSelfId, setSelfLoad, setSelfPub, isOtherNode } from "./self-node";
import { CALL_PAYLOAD_CAP } from "./frame-buffers";
import { sendHello } from "./handshake";
import { sessionCount } from "./sessions";
import { accessAdd, accessClear } from "./access";
import { serveAdd, serveClear } from "./serve-trust";
import { onFrame } from "./frame-in";
import { sendCall } from "./outgoing-calls";
import { answerDeferred } from "./incoming-calls";
import { confirmReplicas } from "./probes";
import { peerField } from "./peer-fields";
import { timersStart, timersRun, announceNow, nextWake } from "./timers";
import { tableField } from "./kernel-tables";
import { fetchStart, fetchHint, fetchHave, fetchGo } from "./spore-fetch";
import { spawnSend, spawnAnswer, spawnDone } from "./spawn-offer";
import { KERNEL_MEMORY_TOP } from "./target-tables";
import { memoryTopCheck } from "./memory-top";

/** The top of the kernel's memory: it touches no byte at or above this address (memory-top.ts). */
export const k_memory_top: i32 = KERNEL_MEMORY_TOP;

export function k_init(node: u32, now: f64): void {
  setSelfId(node);
  vivInit(node, halRandom());
  timersStart(now);
}

export function k_buf(): usize { return RX; }
export function k_buf_cap(): i32 { return BUF_CAP; }
export function k_stat(id: i32): u32 {
  if (id == S_PEERS_KNOWN) statSet(S_PEERS_KNOWN, <u32>peerCount());
  return statGet(id);
}
export function k_config(key: i32, value: f64): i32 { return cfgSet(key, value); }
export function k_host(slot: i32, species: u32): i32 {
  announceNow();
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
export function k_set_load(cpuShare: f64, spareShare: f64): void { setSelfLoad(cpuShare, spareShare); }

/** Tells the kernel a node id exists (bootstrap list, DHT answer); it may probe it. */
export function k_add_peer(id: u32): void {
  if (!isOtherNode(id)) return;
  peerTouch(id, halNow());
  offerPeer(id);
}

/**
 * Probes the nearest few replicas of `species` now, so routing can rank them by a measured RTT
 * instead of a prediction. Returns how many were probed.
 */
export function k_confirm(species: u32): i32 { return confirmReplicas(species); }

export function k_peer_count(): i32 { return peerCount(); }

/** Field `f` of peer i for `cell peers` (PEER_* in docs/protocol.toml); NaN for a bad index. */
export function k_peer(i: i32, f: i32): f64 { return peerField(i, f); }

/** Species j advertised by peer i (0 if none). */
export function k_peer_species(i: i32, j: i32): u32 {
  return i >= 0 && i < peerCount() ? peerSpeciesAt(i, j) : 0;
}

/** Component i of this node's coordinate (dims, then height, then error estimate), for metrics. */
export function k_coord(i: i32): f64 { return vivWord(i); }

/** Number of coordinate dimensions (the words before height and error). */
export function k_coord_dims(): i32 { return VIV_DIMS; }

/**
 * Predicted RTT in ms from this node to a coordinate the host wrote at k_buf as f64 words
 * (dims, height, error): the formula routing uses, exposed so host fast paths can be checked against it.
 */
export function k_predict(): f64 { return vivaldiPredict(RX); }

export function k_on_frame(len: i32): i32 {
  if (len > BUF_CAP) {
    count(S_DROP_TOO_LARGE);
    return -R_TOO_LARGE;
  }
  return onFrame(RX, len);
}

export function k_call(dst: u32, species: u32, len: i32): i32 {
  if (len < 0 || len > CALL_PAYLOAD_CAP) return -R_TOO_LARGE;
  return sendCall(dst, species, len, halNow());
}

/**
 * The answer to a call the host deferred (hal.cell_call returned -CELL_DEFERRED): `len` payload
 * bytes at k_buf + 20, negative for an ERROR payload; 0, or -NOT_PENDING when no such call waits.
 */
export function k_answer(src: u32, species: u32, seq: i32, len: i32): i32 {
  return answerDeferred(src, species, <u16>seq, RX + HEADER_BYTES, len);
}

/** The host wrote this node's 32-byte ed25519 public key at k_buf: the kernel can now handshake (hal.sign holds the secret). */
export function k_identity(): void { setSelfPub(RX); }

/** Opens a session with `dst` now (0: whichever node the host's transport reaches for it); 0, or -1 if no HELLO went. */
export function k_hello(dst: u32): i32 { return sendHello(dst, halNow(), true); }

/** Field f of the kernel's table t (docs/abi.md, KT_* and KTF_*): rows, cap, rows given up; NaN if unknown. */
export function k_table(t: i32, f: i32): f64 { return tableField(t, f); }

/** Sessions established now. */
export function k_sessions(): i32 { return sessionCount(); }

/** Empties the access list ([access] in the node config). */
export function k_access_clear(): void { accessClear(); }

/** Lets the 32-byte key the host wrote at k_buf call `species` (0: any); 0, or -1 when the list is full. */
export function k_access_add(species: u32): i32 { return accessAdd(RX, species); }

/** Empties the serve list. */
export function k_serve_clear(): void { serveClear(); }

/** Lets the node with the 32-byte key the host wrote at k_buf serve `species` (0: any) to this node; 0, or -1 when the list is full. */
export function k_serve_add(species: u32): i32 { return serveAdd(RX, species); }

/**
 * Starts fetching the `size`-byte module of `species` whose hash and chunk root (32 bytes each)
 * the host wrote at k_buf; returns a handle (0..SPORE_MAX_FETCHES-1) or -1. Nothing is sent
 * before k_fetch_go, so the host can first add hints and the chunks it already holds.
 */
export function k_fetch(species: u32, size: i32): i32 { return fetchStart(RX, species, size); }

/** A node that should hold the module of fetch `handle` (the spawner, a DHT answer); 0, or -1. */
export function k_fetch_hint(handle: i32, node: u32): i32 { return fetchHint(handle, node); }

/** The host already holds (verified) chunk `index` of fetch `handle`: it is not asked for again; 0, or -1. */
export function k_fetch_have(handle: i32, index: i32): i32 { return fetchHave(handle, index); }

/** Starts the requests of fetch `handle` (hal.spore_done may be called at once); 0, or -1. */
export function k_fetch_go(handle: i32): i32 { return fetchGo(handle, halNow()); }

/** Sends the SPAWN offer the host wrote at k_buf (len bytes, docs/spores.md) to `target`; 0, or -1 if malformed. */
export function k_spawn(target: u32, species: u32, len: i32): i32 {
  if (len < 0 || len > BUF_CAP) return -1;
  return spawnSend(target, species, RX, len);
}

/** The host's verdict (SPAWN_OK or a refusal reason) on the offer hal.deliver handed it with `seq`. */
export function k_spawn_answer(dst: u32, species: u32, seq: i32, reason: i32): void { spawnAnswer(dst, species, <u16>seq, reason); }

/** A spawn the host accepted is over (running, or failed): its place among SPAWN_MAX_PENDING frees. */
export function k_spawn_done(): void { spawnDone(); }

export function k_tick(now: f64): f64 {
  timersRun(now);
  return nextWake();
}

/** The earliest time a timer or a call deadline needs a tick (Infinity if none). */
export function k_next_wake(): f64 { return nextWake(); }

/**
 * Value i of the protocol table this kernel was built with (docs/protocol.toml, in table order),
 * or NaN past its end: the host checks it runs a kernel that agrees with its own table.
 */
export function k_protocol(i: i32): f64 { return protocolValue(i); }

// Last, once every imported file has laid out its tables.
memoryTopCheck();
