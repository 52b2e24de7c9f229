// The 1-RTT handshake (docs/wire.md, Sessions). HELLO = [ed25519 key A, ephemeral x25519 key eA,
// signature by A over header + both keys]; WELCOME = [key B, eB, signature by B over its own
// header + keys followed by the HELLO's first 84 bytes]. Each side checks that the sender's node
// id is the first four bytes of SHA-256 of its key and the signature, then both derive
// key = HKDF-SHA256(salt eA || eB, ikm X25519(eA, eB), info "cell/1 session" || idA || idB).
// A WELCOME is the size of the HELLO it answers (148 bytes): no amplification to a stranger.
import { halHash, halRandom, halSign, halVerify, halX25519, halMac, halDeliver, halSend } from "../hal/hal";
import {
  HEADER_BYTES, BROADCAST, HANDSHAKE_BYTES, T_HELLO, T_WELCOME, C_REKEY_MIN_MS, R_BAD_HANDSHAKE,
  S_HANDSHAKES_DONE, S_HANDSHAKES_BAD, S_HANDSHAKES_THROTTLED, S_HANDSHAKES_RATE_LIMITED,
} from "../protocol/table";
import { headerWrite, hLength, hDst } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { TX } from "./frame-buffers";
import { newSessionAdmit } from "./session-rate";
import { selfId, SELF_PUB, hasIdentity } from "./self-node";
import {
  ST_ESTABLISHED, sessionFind, sessionSlot, sessionState, sessionHelloSent, sessionEstablish,
  sessionKey, sessionPeer, sessionClear, sessionEphSecret, sessionEphPub, sessionHelloAt, sessionKeyedAt, sessionHelloDst, sessionHasPub, sessionPub,
} from "./sessions";

/** Header and the two keys: the bytes a handshake signature covers. */
const SIGNED_BYTES: i32 = HEADER_BYTES + 64;
const HS_FRAME: i32 = HEADER_BYTES + HANDSHAKE_BYTES;
const BASE_POINT: usize = memory.data<u8>([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const INFO = "cell/1 session";
/** Scratch: the bytes a WELCOME's signature covers, HKDF input. */
const SCRATCH: usize = memory.data(2 * SIGNED_BYTES);
const SHARED: usize = memory.data(32);
const PRK: usize = memory.data(32);
const HELLO_COPY: usize = memory.data(SIGNED_BYTES);
const DIGEST: usize = memory.data(32);

/** Node id of the 32-byte ed25519 key at pub (docs/wire.md): SHA-256, first four bytes LE; 0 and broadcast remapped. */
export function nodeIdOfKey(pub: usize): u32 {
  halHash(pub, 32, DIGEST);
  const id = load<u32>(DIGEST);
  if (id == 0) return 1;
  if (id == BROADCAST) return 0xfffffffe;
  return id;
}

function freshEphemeral(s: i32): void {
  const sec = sessionEphSecret(s);
  for (let i = 0; i < 32; i += 4) store<u32>(sec + <usize>i, halRandom());
  halX25519(sec, BASE_POINT, sessionEphPub(s));
}

/** HKDF-SHA256 (RFC 5869, one block) into session s's key. `initiator` and `responder` are node ids. */
function deriveKey(s: i32, eI: usize, eR: usize, initiator: u32, responder: u32): void {
  memory.copy(SCRATCH, eI, 32);
  memory.copy(SCRATCH + 32, eR, 32);
  halMac(SCRATCH, 64, SHARED, 32, PRK);
  const n = INFO.length;
  for (let i = 0; i < n; i++) store<u8>(SCRATCH + <usize>i, <u8>INFO.charCodeAt(i));
  store<u32>(SCRATCH + <usize>n, initiator);
  store<u32>(SCRATCH + <usize>(n + 4), responder);
  store<u8>(SCRATCH + <usize>(n + 8), 1);
  halMac(PRK, 32, SCRATCH, n + 9, sessionKey(s));
  memory.fill(SHARED, 0, 32);
  memory.fill(PRK, 0, 32);
}

function writeHandshake(type: u8, dst: u32, eph: usize): void {
  headerWrite(TX, type, 0, selfId, dst, 0, 0, <u16>HANDSHAKE_BYTES);
  memory.copy(TX + HEADER_BYTES, SELF_PUB, 32);
  memory.copy(TX + HEADER_BYTES + 32, eph, 32);
}

/**
 * Sends a HELLO to `dst` (0: whichever node answers at the host's address for it) unless one went
 * less than rekeyMinMs ago. `mayEvict`: a stranger's frame must not push out an established session.
 * Returns 0, or -1 if not sent.
 */
export function sendHello(dst: u32, now: f64, mayEvict: bool): i32 {
  if (!hasIdentity) return -1;
  let s = sessionFind(dst);
  if (s >= 0 && now - sessionHelloAt(s) < cfg(C_REKEY_MIN_MS)) return -1;
  if (s < 0) {
    s = sessionSlot(dst, now, mayEvict);
    if (s < 0) return -1;
  }
  freshEphemeral(s);
  writeHandshake(T_HELLO, dst, sessionEphPub(s));
  if (halSign(TX, SIGNED_BYTES, TX + SIGNED_BYTES) != 0) return -1;
  sessionHelloSent(s, dst, now);
  halSend(TX, HS_FRAME);
  return 0;
}

function bad(): i32 {
  count(S_HANDSHAKES_BAD);
  return -R_BAD_HANDSHAKE;
}

/** Checks a handshake frame's size, that src is its key's id, that a known peer kept its key, and the signature over `signedLen` bytes at msg. */
function checkHandshake(ptr: usize, src: u32, msg: usize, signedLen: i32): bool {
  if (<i32>hLength(ptr) != HANDSHAKE_BYTES || !hasIdentity) return false;
  const pub = ptr + HEADER_BYTES;
  if (nodeIdOfKey(pub) != src) return false;
  // An id is a handle for the key first verified under it: another key grinding the same id is refused.
  const known = sessionFind(src);
  if (known >= 0 && sessionHasPub(known) && memory.compare(sessionPub(known), pub, 32) != 0) return false;
  return halVerify(pub, msg, signedLen, ptr + SIGNED_BYTES) == 1;
}

export function onHello(ptr: usize, src: u32, now: f64): i32 {
  if (hDst(ptr) == BROADCAST || !checkHandshake(ptr, src, ptr, SIGNED_BYTES)) return bad();
  let s = sessionFind(src);
  if (s >= 0) {
    // Both sides opened at once: the HELLO of the lower id goes on, the other side answers it
    // (unless ours is old enough to have been lost).
    if (awaitingWelcome(s) && selfId < src && now - sessionHelloAt(s) < cfg(C_REKEY_MIN_MS)) {
      count(S_HANDSHAKES_THROTTLED);
      return 0;
    }
    // A replayed HELLO can replace a session at most this often; the peers re-key after it.
    if (sessionState(s) == ST_ESTABLISHED && now - sessionKeyedAt(s) < cfg(C_REKEY_MIN_MS)) {
      count(S_HANDSHAKES_THROTTLED);
      return 0;
    }
  } else {
    if (!newSessionAdmit(now)) {
      count(S_HANDSHAKES_RATE_LIMITED);
      return 0;
    }
    s = sessionSlot(src, now, true);
  }
  memory.copy(HELLO_COPY, ptr, SIGNED_BYTES);
  freshEphemeral(s);
  const eA = HELLO_COPY + HEADER_BYTES + 32;
  if (halX25519(sessionEphSecret(s), eA, SHARED) != 0) return bad();
  deriveKey(s, eA, sessionEphPub(s), src, selfId);
  writeHandshake(T_WELCOME, src, sessionEphPub(s));
  memory.copy(SCRATCH, TX, SIGNED_BYTES);
  memory.copy(SCRATCH + SIGNED_BYTES, HELLO_COPY, SIGNED_BYTES);
  if (halSign(SCRATCH, 2 * SIGNED_BYTES, TX + SIGNED_BYTES) != 0) return bad();
  sessionEstablish(s, src, HELLO_COPY + HEADER_BYTES, now);
  count(S_HANDSHAKES_DONE);
  halSend(TX, HS_FRAME);
  return 0;
}

/** A HELLO went from row s after its last keying: a WELCOME may answer it. */
function awaitingWelcome(s: i32): bool { return sessionHelloAt(s) > sessionKeyedAt(s); }

export function onWelcome(ptr: usize, src: u32, now: f64): i32 {
  // The answer to our HELLO to src, or to our HELLO to "whoever is at that address" (dst 0).
  let s = sessionFind(src);
  if (s < 0 || !awaitingWelcome(s)) s = sessionFind(0);
  if (s < 0 || !awaitingWelcome(s) || hDst(ptr) != selfId) return bad();
  // Rebuild the HELLO we sent from this row: the WELCOME's signature covers it.
  headerWrite(HELLO_COPY, T_HELLO, 0, selfId, sessionHelloDst(s), 0, 0, <u16>HANDSHAKE_BYTES);
  memory.copy(HELLO_COPY + HEADER_BYTES, SELF_PUB, 32);
  memory.copy(HELLO_COPY + HEADER_BYTES + 32, sessionEphPub(s), 32);
  memory.copy(SCRATCH, ptr, SIGNED_BYTES);
  memory.copy(SCRATCH + SIGNED_BYTES, HELLO_COPY, SIGNED_BYTES);
  if (!checkHandshake(ptr, src, SCRATCH, 2 * SIGNED_BYTES)) return bad();
  const eB = ptr + HEADER_BYTES + 32;
  if (halX25519(sessionEphSecret(s), eB, SHARED) != 0) return bad();
  // A dst-0 handshake found its node: an older row for that id gives way.
  if (sessionPeer(s) == 0) {
    const old = sessionFind(src);
    if (old >= 0 && old != s) sessionClear(old);
  }
  deriveKey(s, sessionEphPub(s), eB, selfId, src);
  sessionEstablish(s, src, ptr + HEADER_BYTES, now);
  count(S_HANDSHAKES_DONE);
  // The host learns the peer's id and key (a --peer client then calls that id).
  halDeliver(T_WELCOME, 0, src, ptr + HEADER_BYTES, 32);
  return 0;
}
