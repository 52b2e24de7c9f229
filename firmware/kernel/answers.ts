// REPLY and ERROR frames to calls this node made: matched to the call, handed to the host
// (hal.deliver), or, for a replica that shed the call, sent on to another replica.
import { halNow, halDeliver } from "../hal/hal";
import { HEADER_BYTES, T_ERROR, C_OPEN, R_NOT_FOR_ME, S_FOREIGN_ANSWERS, E_OVERLOADED, E_UNKNOWN_SPECIES, C_BUSY_HOLD_MS, S_UNMATCHED_REPLIES, S_OVERLOAD_FAILOVERS, S_REPLIES_DELIVERED } from "../protocol/table";
import { hSeq, hLength, hSpecies } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { callMatch, callClose, callDst } from "./calls";
import { peerFind, peerMarkBusy, peerRemoveSpecies } from "./peers";
import { errorCode } from "./error-payload";
import { callMayFailOver, retryCall } from "./outgoing-calls";

export function onAnswer(ptr: usize, src: u32, type: u8): i32 {
  const c = callMatch(hSeq(ptr), src);
  if (c < 0) {
    count(S_UNMATCHED_REPLIES);
    return 0;
  }
  // Only the node the call went to may answer it. A dst-0 call ("whoever hosts it") exists in
  // open mode only; an authenticated --peer client learns the node's id in the handshake first.
  if (callDst(c) != src && (callDst(c) != 0 || cfg(C_OPEN) == 0)) {
    count(S_FOREIGN_ANSWERS);
    return -R_NOT_FOR_ME;
  }
  if (type == T_ERROR) {
    const code = errorCode(ptr + HEADER_BYTES, <i32>hLength(ptr));
    if (code == E_OVERLOADED && callMayFailOver(c)) {
      // Shed, not run: prefer the other replicas for a while and send it to one of them now.
      const now = halNow();
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
