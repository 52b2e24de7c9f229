// Frames out: every frame the kernel sends leaves through emit(), which counts it.
import { halSend } from "../hal/hal";
import { HEADER_BYTES, S_FRAMES_TX } from "../protocol/table";
import { headerWrite } from "./header";
import { count } from "./stats";
import { TX } from "./frame-buffers";
import { selfId } from "./self-node";
import { onFrame } from "./frame-in";

export function emit(ptr: usize, len: i32, dst: u32): void {
  count(S_FRAMES_TX);
  // A frame to ourselves never leaves the node (a local replica answers a local caller).
  if (dst == selfId) onFrame(ptr, len);
  else halSend(ptr, len);
}

/** Sends the `len` payload bytes already at TX_PAYLOAD as a frame from this node. */
export function sendTx(type: u8, dst: u32, species: u32, seq: u16, len: i32): void {
  headerWrite(TX, type, 0, selfId, dst, species, seq, <u16>len);
  emit(TX, HEADER_BYTES + len, dst);
}
