// Frames in: the header check, the AUTH trailer (or open mode), then one handler per message type.
import { halNow } from "../hal/hal";
import {
  BROADCAST, T_CALL, T_REPLY, T_ERROR, T_PING, T_PONG, T_ANNOUNCE, T_HELLO, T_WELCOME, T_SPORE_GET, T_SPORE_DATA, T_SPAWN, F_AUTH, C_OPEN, C_REKEY_MIN_MS,
  E_NOT_AUTHENTICATED, E_NOT_AUTHORISED, AUTH_TRAILER_BYTES, AUTH_BROADCAST_TRAILER_BYTES, HEADER_BYTES,
  R_NOT_FOR_ME, R_UNSUPPORTED, R_NOT_AUTHENTICATED, R_NO_SESSION, R_BAD_AUTH, R_REPLAYED, R_NOT_AUTHORISED,
  S_DROP_BAD_HEADER, S_DROP_NOT_FOR_ME, S_FRAMES_RX, S_BAD_PAYLOAD, S_AUTH_REQUIRED, S_AUTH_NO_SESSION,
  S_AUTH_BAD_TAG, S_AUTH_REPLAYS, S_AUTH_UNAUTHORISED,
} from "../protocol/table";
import { headerCheck, hType, hSrc, hDst, hFlags, hSpecies, hSeq } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { peerRefresh, peerTouch } from "./peers";
import { selfId, isOtherNode } from "./self-node";
import { onCall } from "./incoming-calls";
import { onAnswer } from "./answers";
import { onPing, onPong } from "./probes";
import { onAnnounce } from "./announcements";
import { onHello, onWelcome, sendHello } from "./handshake";
import { sessionOf, sessionFresh, sessionAccept, sessionBroadcastFresh, sessionTouch, sessionKeyedAt } from "./sessions";
import { tagValid, signatureValid, trailerCounter, unseal } from "./trailer";
import { accessAllows } from "./access";
import { frameSession, setFrameSession } from "./frame-auth";
import { TX_PAYLOAD, PAYLOAD_CAP } from "./frame-buffers";
import { errorPayload } from "./error-payload";
import { sendTx, sendTxBare } from "./frame-out";
import { onSporeGet } from "./spore-serve";
import { onSporeData, fetchSessionUp } from "./spore-fetch";
import { KERNEL_SPORE_RUN } from "./target-tables";
import { onSpawn } from "./spawn-offer";

/** Handles the `len`-byte frame at ptr from a transport; returns 0 or -reason (counted) when it is dropped. */
export function onFrame(ptr: usize, len: i32): i32 {
  return handle(ptr, len, false);
}

/** A frame this node sent itself (a local replica answering a local caller): nothing to verify. */
export function onLocalFrame(ptr: usize, len: i32): i32 {
  return handle(ptr, len, true);
}

function handle(ptr: usize, len: i32, local: bool): i32 {
  const bad = headerCheck(ptr, len);
  if (bad < 0) {
    count(S_DROP_BAD_HEADER);
    return bad;
  }
  const dst = hDst(ptr);
  if (dst != selfId && dst != 0 && dst != BROADCAST) {
    count(S_DROP_NOT_FOR_ME);
    return -R_NOT_FOR_ME;
  }
  count(S_FRAMES_RX);
  const src = hSrc(ptr);
  const now = halNow();
  const t = hType(ptr);
  if (t == T_HELLO) return isOtherNode(src) ? onHello(ptr, src, now) : -R_NOT_FOR_ME;
  if (t == T_WELCOME) {
    if (!isOtherNode(src)) return -R_NOT_FOR_ME;
    const r = onWelcome(ptr, src, now);
    if (KERNEL_SPORE_RUN > 1 && r == 0) fetchSessionUp(src, now);
    return r;
  }
  let s = -1;
  if (!local) {
    s = verify(ptr, len, src, dst, now);
    if (s < -1) return s + 1;
    if (s == -1 && cfg(C_OPEN) == 0) return refuseBare(ptr, src, dst);
  }
  const outer = frameSession;
  setFrameSession(s);
  const r = dispatch(ptr, src, dst, t, s, now);
  setFrameSession(outer);
  return r;
}

/**
 * The session whose key verified the frame's trailer (and removes the trailer), -1 for a bare
 * frame, or -1 - reason for a dropped one (counted).
 */
function verify(ptr: usize, len: i32, src: u32, dst: u32, now: f64): i32 {
  if ((hFlags(ptr) & F_AUTH) == 0) return -1;
  const broadcast = dst == BROADCAST;
  const trailer = broadcast ? AUTH_BROADCAST_TRAILER_BYTES : AUTH_TRAILER_BYTES;
  if (len < HEADER_BYTES + trailer) {
    count(S_AUTH_BAD_TAG);
    return -1 - R_BAD_AUTH;
  }
  const s = isOtherNode(src) ? sessionOf(src) : -1;
  if (s < 0) {
    count(S_AUTH_NO_SESSION);
    // A peer we have no session with (it restarted us, or we evicted it): offer one, without
    // pushing out an established session for a frame anyone could have sent.
    if (isOtherNode(src)) sendHello(src, now, false);
    if (cfg(C_OPEN) != 0) {
      unseal(ptr, trailer);
      return -1;
    }
    return -1 - R_NO_SESSION;
  }
  const c = trailerCounter(ptr, len, trailer);
  if (broadcast) {
    if (!signatureValid(ptr, len, s)) {
      count(S_AUTH_BAD_TAG);
      return -1 - R_BAD_AUTH;
    }
    if (!sessionBroadcastFresh(s, c)) {
      count(S_AUTH_REPLAYS);
      // A valid signature with an old counter: the peer restarted (or this is a replay); a new
      // session resets the counter, at most once per rekeyMinMs.
      if (now - sessionKeyedAt(s) >= cfg(C_REKEY_MIN_MS)) sendHello(src, now, false);
      return -1 - R_REPLAYED;
    }
  } else {
    if (!sessionFresh(s, c)) {
      count(S_AUTH_REPLAYS);
      return -1 - R_REPLAYED;
    }
    if (!tagValid(ptr, len, s)) {
      count(S_AUTH_BAD_TAG);
      return -1 - R_BAD_AUTH;
    }
    sessionAccept(s, c);
  }
  sessionTouch(s, now);
  unseal(ptr, trailer);
  return s;
}

/** A bare frame to a node that is not open: a CALL is told why (bare, 40 bytes); the rest is dropped. */
function refuseBare(ptr: usize, src: u32, dst: u32): i32 {
  count(S_AUTH_REQUIRED);
  if (hType(ptr) == T_CALL && dst != BROADCAST && isOtherNode(src)) {
    sendTxBare(T_ERROR, src, hSpecies(ptr), hSeq(ptr), errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_NOT_AUTHENTICATED, "not authenticated"));
  }
  return -R_NOT_AUTHENTICATED;
}

function dispatch(ptr: usize, src: u32, dst: u32, t: u8, s: i32, now: f64): i32 {
  if (isOtherNode(src)) {
    // Calls and answers are answered by the header's src: a busy replica's callers (hundreds of
    // clients) must not churn its peer table and push out the replicas its mitosis counts.
    if (t == T_CALL || t == T_REPLY || t == T_ERROR) peerRefresh(src, now);
    else peerTouch(src, now);
  }
  if (t == T_CALL) {
    if (s >= 0 && !accessAllows(s, hSpecies(ptr))) {
      count(S_AUTH_UNAUTHORISED);
      sendTx(T_ERROR, src, hSpecies(ptr), hSeq(ptr), errorPayload(TX_PAYLOAD, PAYLOAD_CAP, E_NOT_AUTHORISED, "not authorised"));
      return -R_NOT_AUTHORISED;
    }
    return onCall(ptr, src, dst);
  }
  if (t == T_REPLY || t == T_ERROR) return onAnswer(ptr, src, t);
  if (t == T_PING) return onPing(ptr, src);
  if (t == T_PONG) return onPong(ptr, src, now);
  if (t == T_ANNOUNCE) return onAnnounce(ptr, src, now);
  // Spore chunks go to and from one node: never a broadcast.
  if (t == T_SPORE_GET && dst != BROADCAST) return onSporeGet(ptr, src, s >= 0, now);
  if (t == T_SPORE_DATA && dst != BROADCAST) return onSporeData(ptr, src, now);
  if (t == T_SPAWN) return onSpawn(ptr, src, dst, s >= 0, now);
  count(S_BAD_PAYLOAD);
  return -R_UNSUPPORTED;
}
