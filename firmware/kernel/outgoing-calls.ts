// CALLs from this node: routed to a replica when the host gives no destination, retried with a
// doubled timeout (re-routed when the kernel chose the replica), failed with ERROR TIMEOUT.
import { halDeliver } from "../hal/hal";
import {
  HEADER_BYTES, T_CALL, T_ERROR, E_TIMEOUT, R_NO_ROUTE, R_PEER_BUSY, R_CALL_TABLE_FULL,
  C_DEFAULT_ROUTE, C_PEER_WINDOW, C_FAIL_HOLD_MS, C_CALL_ATTEMPTS,
  S_NO_ROUTE, S_PEER_WINDOW_FULL, S_CALL_TABLE_FULL, S_CALLS_SENT, S_FAILOVERS, S_RETRIES, S_TIMEOUTS,
} from "../protocol/table";
import { headerWrite } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { cellsSlotOf } from "./cells";
import {
  callOpen, callSeq, callDst, callClose, callExpired, callKeepPayload, callPayloadPtr, callPayloadLen, callSpecies,
  callRouted, callAttempts, callRetry, callsInFlightTo,
} from "./calls";
import { peerId, peerFind, peerMarkFailed } from "./peers";
import { routeBest } from "./routing";
import { RX, TX_PAYLOAD } from "./frame-buffers";
import { auxErrorPayload, AUX } from "./error-payload";
import { emit, sendTx } from "./frame-out";
import { selfId } from "./self-node";
import { rtoFor } from "./call-rtt";

/** Sends the CALL payload of `len` bytes at RX + HEADER_BYTES; returns its seq or -result. */
export function sendCall(dst: u32, species: u32, len: i32, now: f64): i32 {
  let target = dst;
  if (target == 0) {
    if (cellsSlotOf(species) >= 0) {
      target = selfId;
    } else {
      const p = routeBest(species, now);
      if (p >= 0) target = peerId(p);
      else if (cfg(C_DEFAULT_ROUTE) == 0) {
        count(S_NO_ROUTE);
        return -R_NO_ROUTE;
      }
    }
  }
  if (target != selfId && target != 0 && callsInFlightTo(target) >= <i32>cfg(C_PEER_WINDOW)) {
    count(S_PEER_WINDOW_FULL);
    return -R_PEER_BUSY;
  }
  const c = callOpen(target, species, dst == 0 && target != selfId, now, rtoFor(target));
  if (c < 0) {
    count(S_CALL_TABLE_FULL);
    return -R_CALL_TABLE_FULL;
  }
  callKeepPayload(c, RX + HEADER_BYTES, len);
  const seq = callSeq(c);
  headerWrite(RX, T_CALL, 0, selfId, target, species, seq, <u16>len);
  count(S_CALLS_SENT);
  emit(RX, HEADER_BYTES + len, target);
  return seq;
}

/**
 * Calls past their deadline: the silent peer is avoided for a while; the call is sent again
 * (re-routed to the next replica if the kernel chose the first) or, out of attempts, fails.
 */
export function expireCalls(now: f64): void {
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
    halDeliver(T_ERROR, seq, dst, AUX, auxErrorPayload(E_TIMEOUT, "timeout"));
  }
}

/** Whether call c may be sent again: the kernel chose its replica, kept its payload and has attempts left. */
export function callMayFailOver(c: i32): bool {
  return callRouted(c) && callPayloadLen(c) >= 0 && callAttempts(c) < <i32>cfg(C_CALL_ATTEMPTS);
}

/** Sends call c again, to the next-best replica when routing chose the first, with a doubled timeout (call-rtt.ts). */
export function retryCall(c: i32, dst: u32, now: f64): void {
  let target = dst;
  if (callRouted(c)) {
    const q = routeBest(callSpecies(c), now);
    if (q >= 0 && peerId(q) != dst) {
      target = peerId(q);
      count(S_FAILOVERS);
    }
  }
  const timeout = rtoFor(target) * <f64>(1 << callAttempts(c));
  callRetry(c, target, now, timeout);
  count(S_RETRIES);
  const len = callPayloadLen(c);
  memory.copy(TX_PAYLOAD, callPayloadPtr(c), <usize>len);
  sendTx(T_CALL, target, callSpecies(c), callSeq(c), len);
}
