// The kernel's frame memory: RX, where the host writes a frame (k_buf) or a call's payload, and
// TX, where the kernel builds the frames it sends while handling RX. A frame's payload starts
// HEADER_BYTES in, so a handler writes at TX_PAYLOAD and has PAYLOAD_CAP bytes, which leaves
// room for the AUTH trailer of a unicast frame.
import { CborWriter, CborReader } from "../cbor/index";
import { HEADER_BYTES, AUTH_TRAILER_BYTES } from "../protocol/table";

export const BUF_CAP: i32 = 2048;
export const RX: usize = memory.data(BUF_CAP);
export const TX: usize = memory.data(BUF_CAP);
export const TX_PAYLOAD: usize = TX + HEADER_BYTES;
export const PAYLOAD_CAP: i32 = BUF_CAP - HEADER_BYTES - AUTH_TRAILER_BYTES;

/** Writes kernel payloads (PING, PONG, ANNOUNCE) at TX_PAYLOAD. */
export const writer = new CborWriter(TX, BUF_CAP);
/** Reads received payloads; reset to each one. */
export const reader = new CborReader(RX, 0);
