// Frames out: every frame the kernel sends leaves through emit(), which counts it and seals it:
// a MAC trailer in the destination's session, a signature on a broadcast (docs/wire.md).
// Open mode without a key (the simulator) sends frames bare, as before sessions existed.
import { halSend, halNow } from "../hal/hal";
import { HEADER_BYTES, BROADCAST, T_CALL, C_OPEN, S_FRAMES_TX, S_SENT_WITHOUT_SESSION, S_DROP_TOO_LARGE, AUTH_TRAILER_BYTES, AUTH_BROADCAST_TRAILER_BYTES } from "../protocol/table";
import { headerWrite, hType } from "./header";
import { count } from "./stats";
import { cfg } from "./config";
import { TX, BUF_CAP } from "./frame-buffers";
import { selfId, hasIdentity } from "./self-node";
import { onLocalFrame } from "./frame-in";
import { sessionOf, sessionNextTx, sessionTouch } from "./sessions";
import { sealMac, sealSignature } from "./trailer";
import { sendHello } from "./handshake";

let broadcastCounter: u64 = 0;

export function emit(ptr: usize, len: i32, dst: u32): void {
  count(S_FRAMES_TX);
  // A frame to ourselves never leaves the node (a local replica answers a local caller).
  if (dst == selfId) {
    onLocalFrame(ptr, len);
    return;
  }
  const open = cfg(C_OPEN) != 0;
  if (!hasIdentity) {
    if (open) halSend(ptr, len);
    else count(S_SENT_WITHOUT_SESSION);
    return;
  }
  if (dst == BROADCAST) {
    if (len + AUTH_BROADCAST_TRAILER_BYTES > BUF_CAP) {
      count(S_DROP_TOO_LARGE);
      return;
    }
    broadcastCounter++;
    const n = sealSignature(ptr, len, broadcastCounter);
    if (n > 0) halSend(ptr, n);
    return;
  }
  const s = dst != 0 ? sessionOf(dst) : -1;
  if (s < 0) {
    if (open) {
      halSend(ptr, len);
      return;
    }
    // No session yet: the frame is dropped (calls are retried) and a HELLO goes instead.
    count(S_SENT_WITHOUT_SESSION);
    // Only a call may push out another peer's session; probes and answers take a free row.
    if (dst != 0) sendHello(dst, halNow(), hType(ptr) == T_CALL);
    return;
  }
  if (len + AUTH_TRAILER_BYTES > BUF_CAP) {
    count(S_DROP_TOO_LARGE);
    return;
  }
  sessionTouch(s, halNow());
  halSend(ptr, sealMac(ptr, len, s, sessionNextTx(s)));
}

/** Sends the `len` payload bytes already at TX_PAYLOAD as a frame from this node. */
export function sendTx(type: u8, dst: u32, species: u32, seq: u16, len: i32): void {
  headerWrite(TX, type, 0, selfId, dst, species, seq, <u16>len);
  emit(TX, HEADER_BYTES + len, dst);
}

/** Sends it bare, whatever the mode: only for the ERROR that tells an unauthenticated caller why. */
export function sendTxBare(type: u8, dst: u32, species: u32, seq: u16, len: i32): void {
  headerWrite(TX, type, 0, selfId, dst, species, seq, <u16>len);
  count(S_FRAMES_TX);
  halSend(TX, HEADER_BYTES + len);
}
