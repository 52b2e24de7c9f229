// Sessions with other nodes (docs/wire.md, Sessions): per peer node id, the peer's ed25519 key
// (verified in the handshake), the session key, this node's send counter and the receive
// window. Fixed memory: MAX_SESSIONS rows; a new peer takes an empty row or evicts the least
// recently used one, so strangers cannot grow the table.
import { AUTH_WINDOW, S_SESSIONS_EVICTED } from "../protocol/table";
import { KERNEL_MAX_SESSIONS as MAX_SESSIONS } from "./target-tables";
import { count } from "./stats";
import { replayForget } from "./replay";

export const ST_EMPTY: u8 = 0;
/** We sent a HELLO and wait for its WELCOME; no key yet. */
export const ST_HELLO_SENT: u8 = 1;
export const ST_ESTABLISHED: u8 = 2;

const KEY: i32 = 32;

const peers = new StaticArray<u32>(MAX_SESSIONS);
const states = new StaticArray<u8>(MAX_SESSIONS);
const helloAt = new StaticArray<f64>(MAX_SESSIONS);
const keyedAt = new StaticArray<f64>(MAX_SESSIONS);
const usedAt = new StaticArray<f64>(MAX_SESSIONS);
const txCounter = new StaticArray<u64>(MAX_SESSIONS);
const rxTop = new StaticArray<u64>(MAX_SESSIONS);
const rxBits = new StaticArray<u64>(MAX_SESSIONS);
/** Highest broadcast counter accepted from the peer (its signed ANNOUNCEs). */
const bcastTop = new StaticArray<u64>(MAX_SESSIONS);
const hasPub = new StaticArray<bool>(MAX_SESSIONS);
const PUBS: usize = memory.data(MAX_SESSIONS * KEY);
const KEYS: usize = memory.data(MAX_SESSIONS * KEY);
/** While ST_HELLO_SENT: our ephemeral x25519 secret and public key, and the HELLO's dst. */
const EPH_SECRETS: usize = memory.data(MAX_SESSIONS * KEY);
const EPH_PUBS: usize = memory.data(MAX_SESSIONS * KEY);
const helloDst = new StaticArray<u32>(MAX_SESSIONS);

export function sessionPub(s: i32): usize { return PUBS + <usize>(s * KEY); }
export function sessionKey(s: i32): usize { return KEYS + <usize>(s * KEY); }
export function sessionEphSecret(s: i32): usize { return EPH_SECRETS + <usize>(s * KEY); }
export function sessionEphPub(s: i32): usize { return EPH_PUBS + <usize>(s * KEY); }
export function sessionPeer(s: i32): u32 { return unchecked(peers[s]); }
export function sessionState(s: i32): u8 { return unchecked(states[s]); }
export function sessionHasPub(s: i32): bool { return unchecked(hasPub[s]); }
export function sessionHelloAt(s: i32): f64 { return unchecked(helloAt[s]); }
export function sessionKeyedAt(s: i32): f64 { return unchecked(keyedAt[s]); }
export function sessionHelloDst(s: i32): u32 { return unchecked(helloDst[s]); }

/** The row of `peer` (any state but empty), or -1. */
export function sessionFind(peer: u32): i32 {
  for (let s = 0; s < MAX_SESSIONS; s++) {
    if (unchecked(states[s]) != ST_EMPTY && unchecked(peers[s]) == peer) return s;
  }
  return -1;
}

/** The established row of `peer`, or -1. */
export function sessionOf(peer: u32): i32 {
  const s = sessionFind(peer);
  return s >= 0 && unchecked(states[s]) == ST_ESTABLISHED ? s : -1;
}

/** Rows taken: established sessions and handshakes under way. */
export function sessionRows(): i32 {
  let n = 0;
  for (let s = 0; s < MAX_SESSIONS; s++) if (unchecked(states[s]) != ST_EMPTY) n++;
  return n;
}

export function sessionCount(): i32 {
  let n = 0;
  for (let s = 0; s < MAX_SESSIONS; s++) if (unchecked(states[s]) == ST_ESTABLISHED) n++;
  return n;
}

/**
 * The row for `peer`: its own, else an empty one, else the least recently used one (evicted).
 * Without `mayEvict` only an empty or unfinished row is taken (-1 if none).
 */
export function sessionSlot(peer: u32, now: f64, mayEvict: bool): i32 {
  const own = sessionFind(peer);
  if (own >= 0) return own;
  let pick = -1;
  for (let s = 0; s < MAX_SESSIONS; s++) {
    if (unchecked(states[s]) == ST_EMPTY) {
      pick = s;
      break;
    }
    if (!mayEvict && unchecked(states[s]) == ST_ESTABLISHED) continue;
    if (pick < 0 || unchecked(usedAt[s]) < unchecked(usedAt[pick])) pick = s;
  }
  if (pick < 0) return -1;
  if (unchecked(states[pick]) != ST_EMPTY) count(S_SESSIONS_EVICTED);
  sessionClear(pick);
  unchecked(peers[pick] = peer);
  unchecked(usedAt[pick] = now);
  unchecked(helloAt[pick] = -Infinity);
  unchecked(keyedAt[pick] = -Infinity);
  return pick;
}

export function sessionClear(s: i32): void {
  // The row will hold another peer: the replay cache forgets the answers it kept for this one.
  replayForget(s);
  unchecked(states[s] = ST_EMPTY);
  unchecked(peers[s] = 0);
  unchecked(hasPub[s] = false);
  memory.fill(sessionKey(s), 0, KEY);
  memory.fill(sessionEphSecret(s), 0, KEY);
}

/** Records that we sent a HELLO to `dst` from row s (its ephemeral keys are already in place). */
export function sessionHelloSent(s: i32, dst: u32, now: f64): void {
  if (unchecked(states[s]) != ST_ESTABLISHED) unchecked(states[s] = ST_HELLO_SENT);
  unchecked(helloDst[s] = dst);
  unchecked(helloAt[s] = now);
}

/** Row s now holds `peer`, its verified key at pub, and a fresh session key (already at sessionKey(s)). */
export function sessionEstablish(s: i32, peer: u32, pub: usize, now: f64): void {
  // A new key means the peer restarted or re-keyed: its seqs start again, so forget its old answers.
  replayForget(s);
  unchecked(peers[s] = peer);
  unchecked(states[s] = ST_ESTABLISHED);
  memory.copy(sessionPub(s), pub, KEY);
  unchecked(hasPub[s] = true);
  unchecked(keyedAt[s] = now);
  unchecked(usedAt[s] = now);
  unchecked(txCounter[s] = 0);
  unchecked(rxTop[s] = 0);
  unchecked(rxBits[s] = 0);
  unchecked(bcastTop[s] = 0);
  // The ephemeral secret has done its work: forward secrecy needs it gone.
  memory.fill(sessionEphSecret(s), 0, KEY);
}

export function sessionTouch(s: i32, now: f64): void { unchecked(usedAt[s] = now); }

/** The next counter for a frame sent in session s (starts at 1). */
export function sessionNextTx(s: i32): u64 {
  const c = unchecked(txCounter[s]) + 1;
  unchecked(txCounter[s] = c);
  return c;
}

/**
 * Whether counter c is new in session s (not yet seen and not below the window of AUTH_WINDOW
 * under the highest seen); does not record it: call sessionAccept after the tag verified.
 */
export function sessionFresh(s: i32, c: u64): bool {
  if (c == 0) return false;
  const top = unchecked(rxTop[s]);
  if (c > top) return true;
  const back = top - c;
  if (back >= <u64>AUTH_WINDOW) return false;
  return (unchecked(rxBits[s]) & (<u64>1 << back)) == 0;
}

export function sessionAccept(s: i32, c: u64): void {
  const top = unchecked(rxTop[s]);
  if (c > top) {
    const shift = c - top;
    unchecked(rxBits[s] = shift >= <u64>AUTH_WINDOW ? 1 : (unchecked(rxBits[s]) << shift) | 1);
    unchecked(rxTop[s] = c);
  } else {
    unchecked(rxBits[s] |= <u64>1 << (top - c));
  }
}

/** Whether a broadcast counter is above every one accepted from this peer; records it if so. */
export function sessionBroadcastFresh(s: i32, c: u64): bool {
  if (c <= unchecked(bcastTop[s])) return false;
  unchecked(bcastTop[s] = c);
  return true;
}
