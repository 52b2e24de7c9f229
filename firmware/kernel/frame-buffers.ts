// The kernel's frame memory: RX, where the host writes a frame (k_buf) or a call's payload, and
// TX, where the kernel builds the frames it sends while handling RX. A frame's payload starts
// HEADER_BYTES in, so a handler writes at TX_PAYLOAD and has PAYLOAD_CAP bytes, which leaves
// room for the AUTH trailer of a unicast frame.
import { CborWriter, CborReader } from "../cbor/index";
import { HEADER_BYTES, AUTH_TRAILER_BYTES, FRAME_BYTES, HOST_BUF_BYTES } from "../protocol/table";
import { TARGET_MCU } from "./target-tables";

// Every kernel takes FRAME_BYTES; a host's buffer is larger only so that one SPORE_DATA carries a
// run of chunks (spore-serve.ts): a call and its answer stay within FRAME_BYTES everywhere, so any
// node can call any other.
export const BUF_CAP: i32 = TARGET_MCU ? FRAME_BYTES : HOST_BUF_BYTES;
export const RX: usize = memory.data(BUF_CAP);
export const TX: usize = memory.data(BUF_CAP);
export const TX_PAYLOAD: usize = TX + HEADER_BYTES;
export const PAYLOAD_CAP: i32 = BUF_CAP - HEADER_BYTES - AUTH_TRAILER_BYTES;
/** The largest CALL, REPLY or ERROR payload, on every target. */
export const CALL_PAYLOAD_CAP: i32 = FRAME_BYTES - HEADER_BYTES - AUTH_TRAILER_BYTES;

/** Writes kernel payloads (PING, PONG, ANNOUNCE) at TX_PAYLOAD. */
export const writer = new CborWriter(TX, BUF_CAP);
/** Reads received payloads; reset to each one. */
export const reader = new CborReader(RX, 0);
